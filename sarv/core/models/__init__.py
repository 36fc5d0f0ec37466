from sarv.core.models.attachments import Attachment
from sarv.core.models.audit import AuditLogEntry
from sarv.core.models.classification import Category, PriorityMatrixCell
from sarv.core.models.modules import ModuleSwitch
from sarv.core.models.notifications import Notification
from sarv.core.models.numbering import NumberSequence
from sarv.core.models.permissions import GlobalPermission
from sarv.core.models.records import BilingualNameMixin, WorkItem, WorkItemQuerySet
from sarv.core.models.references import ExternalReference
from sarv.core.models.scheduler import ScheduledRun
from sarv.core.models.timeline import TimelineEntry
from sarv.core.models.views import SavedView
from sarv.core.models.watchers import Watcher

__all__ = [
    "Attachment",
    "AuditLogEntry",
    "BilingualNameMixin",
    "Category",
    "ExternalReference",
    "GlobalPermission",
    "ModuleSwitch",
    "Notification",
    "NumberSequence",
    "PriorityMatrixCell",
    "SavedView",
    "ScheduledRun",
    "TimelineEntry",
    "Watcher",
    "WorkItem",
    "WorkItemQuerySet",
]
