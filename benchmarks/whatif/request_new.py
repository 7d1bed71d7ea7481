"""What if `isvc request new TITLE --team TEAM` skipped Typer? Same service call."""

import sys

from _desk import open_desk

from isvc.services import requests as svc

filed = svc.file_request(open_desk(), sys.argv[1], sys.argv[2])
sys.stderr.write(f"Filed #{filed.request.number}.\n")
print(filed.request.number)
