"""SQLAlchemy models, all on Flask-AppBuilder's ``Model`` so that one metadata (ours and FAB's
security tables) feeds Alembic."""
from .catalogue import Field, Source, Unit, UnitKind, LoginMethod, WorkdayException  # noqa: F401
from .user import AppUser, BuiltinRole  # noqa: F401
from .report import Attachment, AttachmentStage, Report, ReportEvent, ReportUnit, ReportUnitKind  # noqa: F401
from .personnel import AuditLog, Duty, Personnel  # noqa: F401
from .visit import QueueVisit  # noqa: F401
from .statistics import Assignment, AssignmentOutcome  # noqa: F401
from .counter import ReportCount  # noqa: F401
from .notification import (  # noqa: F401
    MailStatus, Notice, NoticeFile, NoticeRead, NoticeUnit, Notification,
    NotificationPreference, OutboxMail,
)
from .feedback import Feedback, FeedbackAnswer, Rating  # noqa: F401
from .submission import FormSubmission  # noqa: F401
from .data_version import DataVersion  # noqa: F401
