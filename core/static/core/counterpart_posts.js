/* The counterparts' posts on the meeting's date, shown as soon as the counterparts and
   the date are chosen (a meeting's page, or a mission's meetings inline), not only once
   the meeting is saved. The server says who held which post that day
   (missions.admin.MeetingAdmin.counterpart_posts_view). */
'use strict';
{
    const $ = django.jQuery;

    function rowOf(element) {
        return element.closest('.inline-related') || element.closest('form');
    }

    function show(row, lines) {
        const box = row.querySelector('.field-counterpart_posts .readonly');
        if (!box) {
            return;
        }
        box.replaceChildren();
        if (!lines.length) {
            box.textContent = '-';
            return;
        }
        lines.forEach(function(line, index) {
            if (index) {
                box.appendChild(document.createElement('br'));
            }
            box.appendChild(document.createTextNode(line));
        });
    }

    function refresh(row) {
        const select = row.querySelector('select[data-posts-url]');
        const date = row.querySelector('input.vDateField');
        if (!select || !date) {
            return;
        }
        const people = Array.from(select.selectedOptions).map(function(option) {
            return option.value;
        });
        if (!people.length || !date.value.trim()) {
            show(row, []);
            return;
        }
        const query = new URLSearchParams({date: date.value});
        people.forEach(function(person) {
            query.append('person', person);
        });
        fetch(select.dataset.postsUrl + '?' + query.toString(), {credentials: 'same-origin'})
            .then(function(response) {
                return response.ok ? response.json() : {lines: []};
            })
            .then(function(answer) {
                show(row, answer.lines);
            });
    }

    // Select2 (the autocomplete) announces a choice through jQuery, not as a DOM event;
    // the admin's calendar sets the date and triggers 'change' the same way.
    $(document).on('change', 'select[data-posts-url], input.vDateField', function() {
        const row = rowOf(this);
        if (row) {
            refresh(row);
        }
    });
}
