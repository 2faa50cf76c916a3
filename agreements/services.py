from django.db import transaction

from agreements.choices import AgreementStatus
from agreements.models import Agreement
from core.services import validated_save


@transaction.atomic
def agreement_save(*, agreement: Agreement) -> Agreement:
    """Save an agreement; one that supersedes an earlier agreement marks it superseded,
    so that no agreement is left in force beside its replacement."""
    previous_superseded_id = None
    if agreement.pk:
        previous_superseded_id = (
            Agreement.objects.filter(pk=agreement.pk)
            .values_list("supersedes_id", flat=True)
            .first()
        )
    validated_save(agreement)
    if agreement.supersedes_id:
        earlier = Agreement.objects.select_for_update().get(pk=agreement.supersedes_id)
        if earlier.status != AgreementStatus.SUPERSEDED:
            earlier.status = AgreementStatus.SUPERSEDED
            validated_save(earlier)
    if previous_superseded_id and previous_superseded_id != agreement.supersedes_id:
        # The link was removed or changed: the earlier agreement is in force again.
        earlier = Agreement.objects.get(pk=previous_superseded_id)
        if earlier.status == AgreementStatus.SUPERSEDED:
            earlier.status = AgreementStatus.IN_FORCE
            validated_save(earlier)
    return agreement
