/* What the admin's pages lack for assistive technology (WCAG 2.1 AA, JIS X 8341-3),
   checked by axe-core in tests/core/test_browser_accessibility.py:
   - the autocompletes (the admin's Select2) named by their field's label: the box, and
     the search field of a multiple choice;
   - Select2's "clear" button kept out of the list of chosen items (a list holds items);
   - the fields of a tabular inline's rows named by their column's header. */
'use strict';
{
    function labelOf(select) {
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        if (label) {
            return label.textContent.replace(/[:：]\s*$/, '').trim();
        }
        const cell = select.closest('td');
        return cell ? columnName(cell) : '';
    }

    function columnName(cell) {
        const table = cell.closest('table');
        const header = table && table.querySelectorAll('thead th')[cell.cellIndex];
        return header ? header.textContent.trim() : '';
    }

    function nameAutocompletes(root) {
        root.querySelectorAll('select.admin-autocomplete, select[data-choose-countries]').forEach(function(select) {
            const container = select.nextElementSibling;
            if (!container || !container.classList.contains('select2')) {
                return;
            }
            const name = labelOf(select);
            if (!name) {
                return;
            }
            const box = container.querySelector('.select2-selection');
            if (box) {
                // Its aria-labelledby names the chosen value only (empty when none).
                box.removeAttribute('aria-labelledby');
                box.setAttribute('aria-label', name);
            }
            // The single choice's text box: the field's name, the chosen value its text.
            container.querySelectorAll('.select2-search__field, .select2-selection__rendered[role=textbox]').forEach(function(field) {
                field.setAttribute('aria-label', name);
            });
            container.querySelectorAll('ul.select2-selection__rendered > .select2-selection__clear').forEach(function(clear) {
                clear.parentNode.parentNode.insertBefore(clear, clear.parentNode);
            });
        });
    }

    function nameTabularFields(root) {
        root.querySelectorAll('.tabular td input, .tabular td select, .tabular td textarea').forEach(function(field) {
            if (field.type === 'hidden' || field.hasAttribute('aria-label') || field.labels && field.labels.length) {
                return;
            }
            const name = columnName(field.closest('td'));
            if (name) {
                field.setAttribute('aria-label', name);
            }
        });
    }

    function mend() {
        nameAutocompletes(document);
        nameTabularFields(document);
    }

    // After the admin's own scripts have set the autocompletes up (on DOMContentLoaded).
    window.addEventListener('load', function() {
        mend();
        if (window.django && django.jQuery) {
            // Select2 redraws its box on every choice; a new inline row brings new fields.
            django.jQuery(document).on('change select2:open select2:close formset:added', function() {
                window.setTimeout(mend, 0);
            });
        }
    });
}
