"""Pages of background tasks (progress, result, failure, result file) and of the periodic jobs.

``/aufgaben/<id>`` is where a page or an action sends the user after ``host.tasks.start``: it shows the
task's progress (``tasks.js`` polls ``/aufgaben/<id>.json``; without JavaScript the page reloads itself),
survives a reload, and shows the result or the failure once the task has finished.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from werkzeug.routing import BuildError

from host_stub.web import current_host

tasks = Blueprint("tasks", __name__)

#: Seconds between reloads of the task page without JavaScript.
NOSCRIPT_REFRESH_SECONDS = 2


@tasks.get("/aufgaben")
def task_list():
    host = current_host()
    with host.session() as session:
        rows = host.tasks.recent(session)
    return render_template("shell/tasks.html", tasks=rows)


@tasks.get("/aufgaben/<int:task_id>")
def task(task_id: int):
    status = current_host().tasks.status(task_id)
    result_url = None
    if status.result_endpoint:
        try:
            result_url = url_for(status.result_endpoint, **status.result_args)
        except BuildError:  # the page is gone (module disabled, renamed): the message still says what happened
            result_url = None
    return render_template("shell/task.html", task=status, result_url=result_url,
                           refresh_seconds=NOSCRIPT_REFRESH_SECONDS)


@tasks.get("/aufgaben/<int:task_id>.json")
def task_status(task_id: int):
    response = jsonify(current_host().tasks.status(task_id).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@tasks.get("/aufgaben/<int:task_id>/datei")
def task_download(task_id: int):
    host = current_host()
    with host.session() as session:
        return host.tasks.download(session, task_id)


@tasks.get("/geplante-aufgaben")
def jobs():
    host = current_host()
    with host.session() as session:
        rows = host.jobs.overview(session)
    return render_template("shell/jobs.html", jobs=rows)
