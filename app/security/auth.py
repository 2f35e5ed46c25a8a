"""Sign-in: passwords and the provincial single sign-on on one login page; first-sign-in password change.

Why not FAB's ``AUTH_OAUTH``: FAB allows one ``AUTH_TYPE``, and with ``AUTH_OAUTH`` its login page
offers only the providers: the password form (for ``local`` units, the centre's and the demo
accounts, and the REST API's ``provider: db``) would be gone. The letter needs both: state
agencies sign in through sso.thuathienhue.gov.vn, everyone else with a user name and password
issued by the centre. So ``AUTH_TYPE`` stays ``AUTH_DB`` and this subclass of FAB's
``AuthDBView`` adds two routes, the OpenID Connect authorization-code flow done with Authlib's
Flask client against a generic provider found by its discovery URL:

- ``/login/sso/`` sends the browser to the provider (state and nonce kept in the session);
- ``/login/sso/callback/`` exchanges the code, checks the ID token (signature from the
  provider's JWKS, issuer, audience, nonce), then matches the person by e-mail in the personnel
  lists (services/accounts.py ``sso_user``): a registered person gets their account, role and
  unit; anybody else is refused with a Vietnamese message.

The provider is configured by ``OIDC_DISCOVERY_URL``, ``OIDC_CLIENT_ID`` and
``OIDC_CLIENT_SECRET`` (environment); with any of them unset the SSO button is not shown and the
routes answer that single sign-on is not configured. The Authlib client is built from the
current configuration when first needed, and rebuilt if it changes.

The password form refuses listed people of ``sso`` units (they have no usable password), and a
user whose initial password was generated must change it before anything else.
"""
from __future__ import annotations

import datetime as dt
import logging

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, g, has_request_context, jsonify, make_response, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_login import current_user, login_user
from requests.exceptions import RequestException

from ..extensions import db
from ..models.base import utcnow

log = logging.getLogger(__name__)

SSO_NAME = "sso"
SSO_REFUSED_PASSWORD = (
    "Đơn vị của bạn đăng nhập qua hệ thống đăng nhập một lần (SSO) của tỉnh: hãy dùng nút "
    "“Đăng nhập một lần (SSO)”."
)
# One answer for every refused password sign-in (wrong name, wrong password, account locked):
# it tells nobody whether an account exists or is locked.
INVALID_LOGIN = ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa vì nhập "
                 "sai nhiều lần. Vui lòng kiểm tra và thử lại sau.")
MUST_CHANGE = "Bạn đang dùng mật khẩu ban đầu do Trung tâm cấp: hãy đổi mật khẩu để tiếp tục."
SESSION_EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."
ACCOUNT_LOCKED = ("Tài khoản của bạn đã bị khóa (không còn trong danh sách nhân sự của đơn vị "
                  "hoặc đã bị quản trị hệ thống khóa). Vui lòng liên hệ quản trị hệ thống.")
SSO_NO_PASSWORD = ("Tài khoản của bạn đăng nhập qua hệ thống đăng nhập một lần (SSO) của tỉnh: "
                   "mật khẩu do hệ thống đó quản lý, không đổi được ở đây.")
# Set in the session of a person who signed in through SSO: no password of ours is used, so a
# generated initial password (local units may have one) need not be changed first.
SSO_SESSION = "signed_in_by_sso"


def explain_sign_in_needed() -> None:
    """On the sign-in page a page sent the person to: say why. FAB flashes "Bạn không có quyền
    truy cập chức năng này" to whoever is not signed in; what happened is that the session ended
    (or was never started), or that the account was locked meanwhile (a person removed from the
    personnel list: the session still names the account, which no longer loads)."""
    from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED

    flashes = session.get("_flashes") or []
    denied = str(FLAMSG_ERR_SEC_ACCESS_DENIED)
    if not any(message == denied for _, message in flashes):
        return
    user_id = session.get("_user_id")
    locked = False
    if user_id is not None:
        from ..models import AppUser

        user = db.session.get(AppUser, int(user_id)) if str(user_id).isdigit() else None
        locked = user is not None and not user.active
        session.pop("_user_id", None)
    session["_flashes"] = [("warning", ACCOUNT_LOCKED if locked else SESSION_EXPIRED)
                           if message == denied else (category, message)
                           for category, message in flashes]


def sso_settings(app=None) -> tuple[str, str, str] | None:
    config = (app or current_app).config
    values = (config.get("OIDC_DISCOVERY_URL"), config.get("OIDC_CLIENT_ID"),
              config.get("OIDC_CLIENT_SECRET"))
    return values if all(values) else None


def sso_enabled() -> bool:
    return sso_settings() is not None


def sso_client():
    """The Authlib client for the configured provider, or None when SSO is not configured."""
    settings = sso_settings()
    if settings is None:
        return None
    cached = current_app.extensions.get("phananh.sso")
    if cached is None or cached[0] != settings:
        discovery, client_id, secret = settings
        oauth = OAuth(current_app)
        client = oauth.register(
            SSO_NAME,
            server_metadata_url=discovery,
            client_id=client_id,
            client_secret=secret,
            client_kwargs={"scope": current_app.config.get("OIDC_SCOPE", "openid email profile"),
                           "timeout": 10},
        )
        cached = (settings, client)
        current_app.extensions["phananh.sso"] = cached
    return cached[1]


def _new_session() -> None:
    """A new session, and so a new CSRF token, at sign-in: nothing set before it (by whoever
    prepared the browser) survives. Flask-WTF also keeps the token of the request in ``g``."""
    session.clear()
    g.pop("csrf_token", None)


class AuthView(AuthDBView):
    """FAB's password sign-in, Vietnamese, plus the provincial single sign-on (see module doc)."""

    login_template = "security/login.html"

    def _render_login(self, form=None, error: str | None = None, status: int = 200):
        response = make_response(self.render_template(
            self.login_template,
            title="Đăng nhập",
            form=form or LoginForm_db(),
            appbuilder=self.appbuilder,
            sso_enabled=sso_enabled(),
            sso_label=current_app.config.get("OIDC_PROVIDER_NAME", ""),
            error=error,
            next_url=request.args.get("next", ""),
        ), status)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        if request.method == "GET":
            explain_sign_in_needed()
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            g.login_refusal = None
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(g.get("login_refusal") or INVALID_LOGIN, "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            _new_session()
            login_user(user, remember=False)
            session.pop(SSO_SESSION, None)
            return redirect(next_url)
        return self._render_login(form)

    @expose("/login/sso/")
    @no_cache
    def sso_login(self):
        client = sso_client()
        if client is None:
            return self._render_login(error="Chưa cấu hình đăng nhập một lần (SSO).", status=404)
        session["sso_next"] = get_safe_redirect(request.args.get("next", ""))
        try:
            return client.authorize_redirect(url_for(".sso_callback", _external=True))
        except (RequestException, OAuthError, ValueError, KeyError) as exc:
            log.warning("SSO: không lấy được cấu hình nhà cung cấp: %s", exc)
            return self._render_login(
                error="Không kết nối được hệ thống đăng nhập một lần. Vui lòng thử lại sau "
                      "hoặc đăng nhập bằng tên người dùng và mật khẩu (nếu đơn vị được cấp).",
                status=502,
            )

    @expose("/login/sso/callback/")
    @no_cache
    def sso_callback(self):
        from ..services import audit
        from ..services.accounts import SignInRefused, sso_user

        client = sso_client()
        if client is None:
            return self._render_login(error="Chưa cấu hình đăng nhập một lần (SSO).", status=404)
        if request.args.get("error"):
            return self._render_login(
                error="Đăng nhập một lần không thành công hoặc đã bị hủy. Vui lòng thử lại.",
                status=401,
            )
        try:
            token = client.authorize_access_token()
            claims = token.get("userinfo") or client.userinfo(token=token)
        except (OAuthError, RequestException, ValueError, KeyError) as exc:
            log.warning("SSO: xác thực không thành công: %s", exc)
            return self._render_login(
                error="Không xác thực được phiên đăng nhập một lần (phiên đã hết hạn hoặc không "
                      "hợp lệ). Vui lòng đăng nhập lại.",
                status=401,
            )
        try:
            with audit.acting_as("Đăng nhập một lần (SSO)"):
                user = sso_user(dict(claims))
                db.session.commit()
        except SignInRefused as exc:
            db.session.rollback()
            log.info("SSO: từ chối %s: %s", claims.get("email"), exc)
            return self._render_login(error=str(exc), status=403)
        next_url = get_safe_redirect(session.pop("sso_next", "")) or self.appbuilder.get_url_for_index
        _new_session()
        login_user(user, remember=False)
        session[SSO_SESSION] = True
        self.appbuilder.sm.update_user_auth_stat(user, True)
        return redirect(next_url)


class PasswordPolicyMixin:
    """Security-manager methods for the rules above (mixed into app.security.manager)."""

    def auth_user_db(self, username, password):
        from ..services.accounts import password_sign_in_refused

        account = None
        if username:
            account = self.find_user(username=username) or self.find_user(email=username)
            if account is not None and password_sign_in_refused(account):
                g.login_refusal = SSO_REFUSED_PASSWORD
                log.info("Từ chối đăng nhập bằng mật khẩu của %s (đơn vị dùng SSO)", username)
                return None
        if account is not None and self.is_locked(account):
            log.info("Từ chối đăng nhập của %s: tài khoản đang tạm khóa", username)
            return None
        user = super().auth_user_db(username, password)
        if user is None and account is not None:
            self._count_failure(account)
        if user is not None and getattr(user, "must_change_password", False) and (
                has_request_context() and request.path.startswith("/api/")):
            # No token before the generated password is changed on the web form: a token
            # would outlive the change and bypass the forced change (force_password_change).
            log.info("Từ chối cấp token API cho %s: chưa đổi mật khẩu ban đầu", username)
            return None
        return user

    def update_user_auth_stat(self, user, success=True):
        """FAB's sign-in bookkeeping (counts, last sign-in) shows on the person's own pages
        only: it changes the token of their scope, not everyone's (app/ops/data_version.py)."""
        from ..ops import data_version  # not at the top: the security manager comes first

        data_version.declare({data_version.person_scope(user)})
        super().update_user_auth_stat(user, success)

    # -- lockout --

    def is_locked(self, user) -> bool:
        return bool(user.locked_until and user.locked_until > utcnow())

    def _count_failure(self, user) -> None:
        """FAB has counted the failed password (``fail_login_count``); enough in a row lock the
        account for a while. The lock is written to the audit log."""
        from ..services import audit

        config = current_app.config
        if user.locked_until and user.locked_until <= utcnow():  # an old lock has run out
            user.locked_until = None
            user.fail_login_count = 1
        if (user.fail_login_count or 0) >= config["AUTH_LOCKOUT_FAILURES"]:
            minutes = config["AUTH_LOCKOUT_MINUTES"]
            with audit.acting_as(f"Hệ thống: tạm khóa {minutes} phút sau "
                                 f"{user.fail_login_count} lần đăng nhập sai"):
                user.locked_until = utcnow() + dt.timedelta(minutes=minutes)
                db.session.commit()
            log.warning("Tạm khóa tài khoản %s trong %d phút", user.username, minutes)
        else:
            db.session.commit()

    def unlock(self, user) -> None:
        """An administrator's unlock (audited as their change of the account)."""
        user.locked_until = None
        user.fail_login_count = 0

    # -- passwords: every way one is set goes through app/security/passwords.py --

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", groups=None, commit=True):
        from .passwords import check_password

        if password:
            check_password(password)
        user = super().add_user(username, first_name, last_name, email, role,
                                password=password, hashed_password=hashed_password,
                                groups=groups, commit=commit)
        if user and password:  # set by someone else: the person may not keep or reuse it
            user.initial_password = user.password
            if commit:
                self.session.commit()
        return user

    def reset_password(self, userid, password):
        """A password chosen by its owner clears ``must_change_password``; one set by an
        administrator for someone else sets it (they must choose their own)."""
        from .passwords import check_password

        user = self.get_user_by_id(userid)
        own = (has_request_context() and current_user.is_authenticated
               and str(current_user.id) == str(userid))
        check_password(password, user if own else None)
        if user is not None:
            user.must_change_password = not own
        super().reset_password(userid, password)
        if user is not None and not own:
            user.initial_password = user.password
            self.session.commit()


def _exempt_endpoints(appbuilder) -> set[str]:
    auth = appbuilder.sm.auth_view.endpoint if appbuilder.sm.auth_view else ""
    reset = appbuilder.sm.resetmypasswordview.__name__
    return {
        f"{reset}.this_form_get", f"{reset}.this_form_post",
        f"{auth}.logout", f"{auth}.login", "static", "appbuilder.static",
    }


def force_password_change():
    """Until a generated initial password is changed, every page leads to the change form
    (not for a session opened through SSO: that person used no password of ours)."""
    if request.endpoint is None or request.endpoint.endswith(".static"):
        return None
    user = current_user
    if not user or not user.is_authenticated or not getattr(user, "must_change_password", False):
        return None
    if session.get(SSO_SESSION):
        return None
    from ..extensions import appbuilder

    if request.endpoint in _exempt_endpoints(appbuilder):
        return None
    if request.path.startswith("/api/"):
        return jsonify(message=MUST_CHANGE), 403
    flash(MUST_CHANGE, "warning")
    return redirect(url_for(f"{appbuilder.sm.resetmypasswordview.__name__}.this_form_get"))


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_NEEDED = ("Ghi dữ liệu qua API cần mã truy cập JWT (tiêu đề Authorization: Bearer …, "
                "lấy từ POST /api/v1/security/login).")


def api_writes_need_a_token():
    """A session cookie may read the APIs the web pages use, never write through them: the
    REST API is exempt from CSRF, so a write needs a JWT (or, from our own pages, the CSRF
    token in the X-CSRFToken header)."""
    if request.method in READ_METHODS or not request.path.startswith("/api/"):
        return None
    if request.path.startswith("/api/v1/security/"):  # sign-in and token refresh
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    token = request.headers.get("X-CSRFToken")
    if token:
        from flask_wtf.csrf import ValidationError, validate_csrf

        try:
            validate_csrf(token)
            return None
        except ValidationError:
            pass
    return jsonify(message=TOKEN_NEEDED), 401


def init_app(app) -> None:
    app.before_request(api_writes_need_a_token)
    app.before_request(force_password_change)
