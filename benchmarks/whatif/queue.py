"""What if `isvc queue TEAM` (piped) skipped Typer? Same service call, same TSV."""

import sys

from _desk import open_desk

from isvc.render.output import emit_rows
from isvc.render.shapes import REQUEST_LIST_COLUMNS, request_dict
from isvc.services import requests as svc

desk = open_desk()
view = svc.queue(desk, sys.argv[1])
emit_rows([request_dict(r) for r in view.rows], "tsv", REQUEST_LIST_COLUMNS, None)
