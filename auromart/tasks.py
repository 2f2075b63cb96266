import os
import socket

from celery import shared_task


@shared_task(name="auromart.ping", ignore_result=False)
def ping(token: str) -> dict:
    """Echo `token` with the worker's host and pid: proves a worker ran it."""
    return {"token": token, "hostname": socket.gethostname(), "pid": os.getpid()}
