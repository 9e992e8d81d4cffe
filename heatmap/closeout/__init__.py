"""The SMS close-out: tell each complainant their spot is fixed, ask for a rating, listen.

Pure parts: quiet hours (:mod:`heatmap.core.quiet`, which settings read too), :mod:`~heatmap.closeout.zones`
(whose clock), :mod:`~heatmap.closeout.templates` (texts and their length),
:mod:`~heatmap.closeout.links` (signed rating links), :mod:`~heatmap.closeout.ratings`
(what a reply says), :mod:`~heatmap.closeout.comment_filter` (masking), the decisions
in :mod:`~heatmap.closeout.notify`. Wiring: :mod:`~heatmap.closeout.outbox` (rows a
resolution owes), :mod:`~heatmap.closeout.notify` (the job),
:mod:`~heatmap.closeout.report` (KPIs). Adapters: :mod:`~heatmap.closeout.gateways`
(file, Kannel). The shapes of its rows are :mod:`heatmap.domain.outbox`.

Above it: :mod:`heatmap.service.replies` (reports, replies, reopening through the
workflow), the HTTP side :mod:`heatmap.api.sms`, the demo's close-out
:mod:`heatmap.devtools.closeout_demo`. Nothing here imports :mod:`heatmap.service`.
"""
