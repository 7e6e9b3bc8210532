"""From plan to work: the tasks a plan assigns, their deadlines, status and reports.

* :mod:`assistant.tasks.model` — the :class:`Task` record;
* :mod:`assistant.tasks.units` — units (Phòng …, Sở …, UBND …, collectives, aliases);
* :mod:`assistant.tasks.deadlines` — deadlines and recurrences as written → ISO dates;
* :mod:`assistant.tasks.extract` — a document's chunks → tasks;
* :mod:`assistant.tasks.store` — task status in SQLite under ``PAPI_DATA_DIR``;
* :mod:`assistant.tasks.exporters` / :mod:`assistant.tasks.report` — md, docx, xlsx, ics,
  and the results report skeleton;
* :mod:`assistant.tasks.answers` — "Phòng tôi phải làm gì?" answered from tasks;
* :mod:`assistant.tasks.papi_results` — the PAPI results table found in the documents.
"""

from assistant.tasks.answers import answer_for_unit
from assistant.tasks.extract import extract_tasks, is_plan_like
from assistant.tasks.model import ROLES, STATUSES, Task, filter_tasks
from assistant.tasks.store import TaskStatus, TaskStore

__all__ = [
    "ROLES",
    "STATUSES",
    "Task",
    "TaskStatus",
    "TaskStore",
    "answer_for_unit",
    "extract_tasks",
    "filter_tasks",
    "is_plan_like",
]
