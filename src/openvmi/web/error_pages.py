"""Errors as portal pages: a friendly page in the reader's language, never a stack trace."""
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from openvmi.errors import DomainError
from openvmi.web import i18n
from openvmi.web.csrf import CsrfRefused
from openvmi.web.forms import split_message
from openvmi.web.rendering import redirect, render
from openvmi.web.viewer import session_token, viewer_for

ERROR_TITLES = {
    400: i18n.N_("Bad request"), 403: i18n.N_("Access denied"), 404: i18n.N_("Page not found"),
    405: i18n.N_("Method not allowed"), 409: i18n.N_("Conflict"), 413: i18n.N_("Too large"),
    422: i18n.N_("Invalid input"),
    500: i18n.N_("Something went wrong"), 503: i18n.N_("Service unavailable"),
}
ERROR_EXPLANATIONS = {
    403: i18n.N_("Your role does not give you access to this page."),
    404: i18n.N_("The page does not exist, or you do not have access to it."),
    413: i18n.N_("The file or form is larger than this server accepts. Split the file, or upload only the "
                 "lines that changed (delta mode)."),
    500: i18n.N_("An unexpected error occurred. It has been logged; please try again later."),
    503: i18n.N_("The database is busy or not answering right now. Please try again in a moment."),
}
# A form sent without its page's security token is not a permission refusal: say what to do instead.
FORM_EXPIRED_TITLE = i18n.N_("Form expired")
FORM_EXPIRED = i18n.N_("The form was open too long or came from another site, so it was not saved. Go back, "
                       "reload the page and send it again.")


def error_page(request: Request, status_code: int, detail: str | None = None, reason: str | None = None) -> Response:
    """The HTML answer for a failed portal request: a friendly page, never a stack trace."""
    if status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method not in ("GET", "HEAD"):
            target = "/"
        return redirect(f"/login?next={quote(target, safe='/')}")
    # Show who is signed in, except when the database is what failed.
    if getattr(request.state, "viewer", None) is None and status_code != 503 and getattr(
            request.app.state, "read_session_factory", None):
        _try_identify(request)
    title = ERROR_TITLES.get(status_code, ERROR_TITLES[400] if status_code < 500 else ERROR_TITLES[500])
    explanation = ERROR_EXPLANATIONS.get(status_code)
    if reason == CsrfRefused.code:
        title, explanation = FORM_EXPIRED_TITLE, FORM_EXPIRED
    shown = split_message(detail) if detail and status_code in (400, 409, 422) else None
    return render(request, "errors.html", title=title, status_code=status_code, code=status_code,
                  explanation=explanation, detail=shown)


def _try_identify(request: Request) -> None:
    """Show the navigation on error pages when the browser is signed in; quietly skip otherwise."""
    token = session_token(request)
    if token is None:
        return
    with request.app.state.read_session_factory() as session:
        try:
            request.state.viewer = viewer_for(request, session, token)
        except (DomainError, SQLAlchemyError):  # an error page must not fail in turn
            return
