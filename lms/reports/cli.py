"""`flask --app wsgi reports ...`: the reports' exports from the command line."""
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Báo cáo năng lực CNTT: xuất tệp như trang báo cáo.")
