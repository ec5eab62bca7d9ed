"""Notices on the dashboard and e-mails for what a person must act on: a course assigned with
its deadline, a reminder before the deadline, an exam invitation, results released, and for HR
officers the weekly list of their units' overdue staff."""
