class ReadAuditMiddleware:
    """Writes the read audit's one entry for a request that read classified records
    (core.audit), once the view has answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.__dict__.get("_audit_reads") and response.status_code < 400:
            from audit.services import audit_request

            audit_request(request)
        return response
