/**
 * The reference catalog: every sentence a person reads, by key, with its
 * `{placeholders}`. pt-BR.ts and es.ts are typed against it (a key missing
 * or extra there does not compile); test/unit/i18n.test.ts checks that each
 * translation has the same placeholders. A key ending in _one / _other is a
 * pair chosen by the count {n} (index.ts tn).
 */
export const en = {
  // Times on the page.
  'when.never': 'never',
  'when.now': 'just now',
  'when.ago': '{d} ago',
  'word.none': 'none',
  'word.no_answer': 'no answer',
  'word.ok': 'ok',
  'word.failed': 'failed',

  // The page's frame.
  'page.title': 'Relay status',
  'page.heading': 'EmiliaVision relay',
  'page.version': 'version {version}',
  'page.as_of': 'as of',
  'page.footer_json': 'JSON',
  'page.footer_health': 'Health',
  'page.site_unnamed': 'no [site] name set',
  'page.local_time': 'local time',

  // The banner.
  'level.ok': 'Healthy',
  'level.warn': 'Running, needs attention',
  'level.degraded': 'Degraded',
  'banner.all_delivered':
    'The cloud answers and nothing waits: every event received has been delivered or is listed below.',
  'banner.on_the_way_one': 'The cloud answers; {n} event is on the way (see "Waiting per token" below).',
  'banner.on_the_way_other': 'The cloud answers; {n} events are on the way (see "Waiting per token" below).',
  'banner.warn': 'The relay takes events and keeps them, but something below needs a look.',
  'banner.degraded': 'The relay keeps taking events, but delivery or storage has a problem:',

  // The cards.
  'card.cloud': 'Cloud',
  'cloud.untried': 'not tried yet',
  'cloud.reachable': 'reachable',
  'cloud.unreachable': 'unreachable',
  'cloud.since': 'since',
  'cloud.last_delivery': 'last delivery',
  'card.waiting': 'Waiting',
  'card.nothing_waits': 'nothing waits',
  'card.oldest_for': 'oldest for {d}',
  'card.delivered': 'Delivered',
  'card.kept_days': 'kept {days} days after delivery, then deleted',
  'card.dead': 'Dead letters',
  'card.dead_hint': 'rejected by the cloud; replay after a fix',
  'card.spool': 'Spool',
  'card.spool_of': '{used} of {max}',

  // Waiting per lane.
  'lanes.heading': 'Waiting per token and environment',
  'lanes.none': 'No events yet.',
  'col.token': 'Token',
  'col.env': 'Env',
  'col.waiting': 'Waiting',
  'col.oldest_waiting': 'Oldest waiting',
  'col.delivered': 'Delivered',
  'col.dead': 'Dead',
  'col.why_waiting': 'Why waiting',
  'col.reason': 'Reason',
  'col.next_try': 'Next try',
  'col.received': 'Received',
  'col.event_id': 'Event id',
  'col.cloud_answer': "Cloud's answer",
  'col.warnings': 'Warnings',
  'col.status': 'Status',
  'col.attempts': 'Attempts',
  'col.last_answer': 'Last answer',
  'col.warning': 'Warning',
  'col.count': 'Count',
  'col.meaning': 'What it means',
  'col.since': 'Since',
  'col.condition': 'Condition',
  'col.message': 'Message',
  'col.receiver': 'Receiver',
  'col.last_send': 'Last send',
  'col.failures': 'Failures',
  'col.signal': 'Signal',
  'col.last_push': 'Last push',
  'col.sent': 'Sent',
  'col.failed': 'Failed',
  'why.paused': 'paused: {reason}; retried every forward.max_backoff_seconds',
  'why.not_tried': 'being sent (not tried yet)',
  'why.retrying_one': 'retrying: {n} attempt, the last{ago} got {answer}{error}',
  'why.retrying_other': 'retrying: {n} attempts, the last{ago} got {answer}{error}',
  'why.ago': ' {d} ago',

  // Event status.
  'status.pending': 'waiting',
  'status.delivered': 'delivered',
  'status.dead': 'dead letter',
  'event.not_tried': 'not tried yet',

  'paused.heading': 'Paused tokens',

  'dead.heading': 'Dead letters',
  'dead.replay_all': 'Replay all ({n})',
  'dead.replay': 'Replay',
  'dead.none': 'None: the cloud has accepted everything it was sent.',
  'dead.hint':
    'The cloud refused these (400, 413, 422...). Its answer says why. Fix the POS or the cloud side, then Replay: the event goes back to the front of its queue.',

  'recent.heading': 'Recent events',
  'recent.none': 'No events yet. The POS posts to {path}.',

  'warnings.heading': 'Payload warnings since start',
  'warnings.hint':
    "The cloud answers 200 to these payloads, but its guide says the data may never reach the dashboard. The POS is told in the answer's {field}.",
  'warnings.none': 'No warnings: every payload had what the guide asks for.',

  'alerts.heading': 'Alerts',
  'alerts.no_receiver':
    'No receiver configured ([alerts] webhook_url or smtp_url): nobody is told when the relay needs a person.',
  'alerts.none_firing': 'Nothing firing.',
  'alerts.nothing_sent': 'nothing sent yet',
  'alerts.last_sent': 'Last sent',
  'alerts.state_firing': 'firing',
  'alerts.state_resolved': 'resolved',

  'telemetry.heading': 'Telemetry',
  'telemetry.pushed': 'Pushed over OTLP/HTTP to {endpoint} every {every} as site {site}.',
  'telemetry.failing_since': 'failing since',
  'telemetry.ok': 'ok',
  'telemetry.nothing_pushed': 'nothing pushed yet',
  'telemetry.dropped': '{n} log warning(s) and error(s) not pushed (rate limit or failed pushes).',

  'logins.heading': 'Wrong admin passwords since start',
  'logins.counts_one': '{wrong} wrong, {refused} more refused unchecked (429: the address had to wait), {n} block',
  'logins.counts_other': '{wrong} wrong, {refused} more refused unchecked (429: the address had to wait), {n} blocks',
  'logins.last_from': '; the last from {client}',
  'logins.blocked_until': '{client} blocked until {until} ({n} wrong passwords)',

  'config.heading': 'Configuration in force',
  'config.reload': 'Reload config',
  'config.hint':
    'Re-reads the config file: tokens and limits change at once. A file with mistakes is refused, its problems are shown, and this configuration stays. Secrets are masked.',

  // What needs a look (the banner's list, /admin/api/status `attention`).
  'attention.spool_filling':
    'The spool is {pct}% full (spool.max_size_mb): when full, new events are refused (503) until the cloud takes some.',
  'attention.dead_one':
    "{n} event was rejected by the cloud (dead letters): read the cloud's answer below, fix the cause, then Replay.",
  'attention.dead_other':
    "{n} events were rejected by the cloud (dead letters): read the cloud's answer below, fix the cause, then Replay.",
  'attention.lane_waited': '{n} event(s) for {token} ({env}) have waited up to {d}: {why}',
  'attention.blocked':
    '{client} is blocked until {until} after {n} wrong admin passwords: someone there may be guessing the password.',
  'attention.amber_until': '{detail} If it lasts {d} (admin.outage_amber_seconds), the relay shows Degraded.',

  // The backlog's drain (spool/drain.ts estimate).
  'drain.empty': 'nothing waits',
  'drain.stalled': 'not draining: no event reached the cloud in the last minute',
  'drain.draining': "about {d} to drain at the last minute's pace ({pace} events/s)",

  // The page's script (assets.ts).
  'js.updated': 'updated {time}',
  'js.unreachable': 'cannot reach the relay ({error}); retrying',
  'js.replayed': 'Event {id} is back in its queue and will be sent now.',
  'js.confirm_replay_all': 'Send every dead letter to the cloud again?',
  'js.replayed_all': '{n} dead letter(s) back in their queues.',
  'js.reloaded': 'Config reloaded: {n} token(s) in force.',
  'js.reload_refused': 'Config refused; the running config stays. Problems:',
  'js.request_failed': 'Request failed: {error}',

  // /health's reasons (health/reasons.ts): /health says them in English, the page in the site's language.
  'reason.token': 'token {token}',
  'reason.token_named': 'token {token} ({name})',
  'reason.spool_failing': 'The spool cannot write, so new events are refused (503): {error}',
  'reason.spool_full':
    'The spool is full ({used} of {max}, spool.max_size_mb): new events are refused (503) until the cloud takes some.',
  'reason.spool_quarantined_salvaging':
    'The spool file was damaged and set aside at {at}: {file} ({why}). The relay kept taking events in a fresh spool and is putting the readable waiting events back now (deliveries wait for it). Keep the file for EmiliaVision support, check the disk, then move the file out of the spool folder to clear this.',
  'reason.spool_quarantined':
    'The spool file was damaged and set aside at {at}: {file} ({why}). The relay kept taking events in a fresh spool; the readable waiting events were put back. Keep the file for EmiliaVision support, check the disk, then move the file out of the spool folder to clear this.',
  'reason.cloud_unreachable':
    'The cloud has not answered{lasted} ({why}). Events are kept on disk and sent when it answers.',
  'reason.cloud_lasted': ' for {d}',
  'reason.token_paused':
    'The cloud refuses {token} as invalid or inactive (401). Its events are kept and retried; ask EmiliaVision to reactivate it.',
  'reason.lane_stalled':
    'Events for {token} ({env}) wait, and the relay has not tried to send them for {d} past their schedule. The log says why; restarting the relay sets them moving.',
  'reason.log_failing_one':
    'The log cannot be written ({error}); {n} line lost since start. Events are still taken and delivered. Free space on the disk the log is on.',
  'reason.log_failing_other':
    'The log cannot be written ({error}); {n} lines lost since start. Events are still taken and delivered. Free space on the disk the log is on.',
  'reason.unknown_error': 'unknown error',
  'reason.clock_stepped':
    "The wall clock stepped {direction} by {d} ({ms} ms) at {at}, {ago} ago: times recorded around then (received_at, the log) are off by that much. Check this PC's time sync (NTP) and its CMOS battery.",
  'reason.back': 'back',
  'reason.forwards': 'forwards',
} as const;

export type MessageKey = keyof typeof en;

/** What every other language's catalog is: the same keys, each a sentence. */
export type Catalog = { readonly [K in MessageKey]: string };
