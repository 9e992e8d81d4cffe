"""The SMS close-out: tell each complainant their spot is fixed, ask for a rating, listen.

Pure parts: :mod:`~heatmap.closeout.quiet` (quiet hours), :mod:`~heatmap.closeout.zones`
(whose clock), :mod:`~heatmap.closeout.templates` (texts and their length),
:mod:`~heatmap.closeout.links` (signed rating links), :mod:`~heatmap.closeout.ratings`
(what a reply says), :mod:`~heatmap.closeout.comment_filter` (masking), the decisions
in :mod:`~heatmap.closeout.notify`. Wiring: :mod:`~heatmap.closeout.outbox` (rows a
resolution owes), :mod:`~heatmap.closeout.notify` (the job),
:mod:`~heatmap.closeout.replies` (reports, replies, reopening),
:mod:`~heatmap.closeout.report` (KPIs). Adapters: :mod:`~heatmap.closeout.gateways`
(file, Kannel). The HTTP side is :mod:`heatmap.api.sms`.

Nothing is imported here, so the store adapters can use :mod:`~heatmap.closeout.schema`.
"""
