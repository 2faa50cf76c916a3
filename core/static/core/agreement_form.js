/* The agreement form: choosing the signing meeting fills the counterpart country and
   the signing date left blank (the meeting's autocomplete result carries them:
   missions.admin.MeetingAdmin.autocomplete_result); the target countries are found
   by typing a name, with the admin's own Select2. */
'use strict';
{
    const $ = django.jQuery;

    function fillIfBlank(field, value) {
        if (field && value && !field.value) {
            field.value = value;
            field.dispatchEvent(new Event('change', {bubbles: true}));
        }
    }

    $(document).on('select2:select', 'select[name=signed_at_meeting]', function(event) {
        const meeting = event.params.data;
        fillIfBlank(document.querySelector('select[name=counterpart_country]'), meeting.country);
        fillIfBlank(document.querySelector('input[name=signed_on]'), meeting.date);
    });

    $(function() {
        $('select[data-choose-countries]').each(function() {
            $(this).select2({
                theme: 'admin-autocomplete',
                width: '40em',
                language: document.documentElement.lang || 'ja',
            });
        });
    });
}
