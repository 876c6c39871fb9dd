"""The usage domain's services: what other domains call to use (and bill) a provider, and the
statements read by the API and the export."""

from gpcloud.usage.service.billing import Outcome, Use, record_use, sign_document, verify_face

__all__ = ["Outcome", "Use", "record_use", "sign_document", "verify_face"]
