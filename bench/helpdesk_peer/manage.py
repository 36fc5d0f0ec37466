#!/usr/bin/env python3
"""manage.py of the django-helpdesk peer; run it with the peer's own virtual environment."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
