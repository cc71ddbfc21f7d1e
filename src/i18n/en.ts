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

  // The 24-hour chart (activity.ts).
  'activity.heading': 'Last 24 hours',
  'activity.hint':
    'Events per {minutes} minutes, {zone} time: received on top, delivered below them on the same scale (a gap is events waiting), refused webhooks at the bottom on their own scale.',
  'activity.since_start': 'Counted since the relay started at {time}: earlier intervals are unknown (grey).',
  'activity.received': 'received',
  'activity.delivered': 'delivered',
  'activity.refused': 'refused',
  'activity.peak': 'highest: {n} per interval',
  'activity.bucket': '{from}–{to}: {received} received, {delivered} delivered, {refused} refused',
  'activity.unknown': '{from}–{to}: before the relay started, not counted',
  'activity.last': 'Last received {received}; last delivered {delivered}.',
  'activity.last_at': 'between {from} and {to}',
  'activity.last_none': 'none in the chart',
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
  // Alerts (alerts/conditions.ts, messages.ts): each condition's subject, firing and resolved sentences, what to do.
  'alert.head_firing': '🔴 {site}: ',
  'alert.head_still': '🔴 {site}, still: ',
  'alert.head_resolved': '✅ {site}, resolved: ',
  'alert.what_to_do': 'What to do: {what}',
  'alert.nothing_to_do': 'Nothing to do.',
  'alert.subject': '[relay] {site}: {title}',
  'alert.subject_still': '[relay] {site}: {title} (still)',
  'alert.subject_resolved': '[relay] {site}: {title} (resolved)',
  'alert.test_text':
    '🧪 {site}: test alert from the relay (relay alerts test). If you read this, alerts reach you; nothing is wrong.',
  'alert.test_what_to_do': 'Nothing: this is a test. Real alerts look like this one.',
  'alert.test_subject': '[relay] {site}: test alert',
  // A time on another day than the message's: "3 Jan 08:12".
  'alert.time_other_day': '{day} {time}',
  'alert.mail_site': 'Site',
  'alert.mail_condition': 'Condition',
  'alert.mail_since': 'Since',
  'alert.mail_details': 'Details',
  'alert.waiting_one': '{n} event waits',
  'alert.waiting_other': '{n} events wait',
  'alert.events_one': '{n} event',
  'alert.events_other': '{n} events',
  'alert.dead_letters_one': '{n} dead letter',
  'alert.dead_letters_other': '{n} dead letters',
  'alert.token': 'token {token}',
  'alert.token_named': 'token {token} ({name})',
  'alert.pos': 'a POS',
  'alert.pos_at': 'a POS at {client}',
  'alert.no_answer': 'no answer',
  'alert.no_failures': 'no failures',
  'alert.last_error': '; last error: {error}',
  'alert.body.invalid_json': 'not JSON in UTF-8 (HTTP 400)',
  'alert.body.too_large': 'over server.max_body_bytes (HTTP 413)',
  'alert.body.body_timeout': 'too slow to arrive within server.body_timeout_seconds (HTTP 408)',

  'alert.cloud_unreachable.title': 'cloud unreachable',
  'alert.cloud_unreachable.firing':
    'the relay has not reached the EmiliaVision cloud since {since} ({lasted}{last_error}). {waiting} safely on this PC.',
  'alert.cloud_unreachable.resolved':
    'the EmiliaVision cloud answers again (unreachable from {since}, for {lasted}); waiting events go out in order.',
  'alert.cloud_unreachable.what_to_do':
    "Check this PC's internet connection (and the proxy, if there is one). Nothing is lost: waiting events go out in order once the cloud answers.",

  'alert.oldest_pending.title': 'events waiting too long',
  'alert.oldest_pending.firing':
    '{waiting} for the cloud; the oldest ({token}, {env}) was received at {since}, {lasted} ago (alert after {threshold} min).',
  'alert.oldest_pending.resolved':
    'no event has waited longer than {threshold} min any more (the backlog began at {since}; {events} waiting now).',
  'alert.oldest_pending.what_to_do':
    'Open the status page, "Waiting per token": it shows why they wait (no internet, a refused token, cloud errors). Nothing is lost.',

  'alert.success_rate.title': 'delivery success rate low',
  'alert.success_rate.firing':
    'only {rate} of the last {attempts} deliveries to the cloud succeeded (alert below {threshold}) since {since}: {codes}.',
  'alert.success_rate.resolved':
    'deliveries succeed again: {rate} of the last {attempts} (it was low from {since}, for {lasted}).',
  'alert.success_rate.what_to_do':
    "The relay retries on its own and keeps every event. If it lasts, note the cloud's answers on the status page and send them to EmiliaVision support.",

  'alert.token_paused.title': 'token refused by the cloud',
  'alert.token_paused.firing':
    'the cloud refuses {token} as invalid or inactive (HTTP 401) since {since}; its events are kept and retried.',
  'alert.token_paused.resolved':
    'the cloud accepts {token} again (refused from {since}, for {lasted}); its kept events go out.',
  'alert.token_paused.what_to_do':
    'Compare that token in relay.toml with the one EmiliaVision issued, fix it and press "Reload config" on the status page; or ask EmiliaVision to reactivate it.',

  'alert.dead_letters.title': 'new dead letters',
  'alert.dead_letters.firing': 'the cloud rejected {events} for good since {since} ({dead} in the spool now).',
  'alert.dead_letters.resolved': 'the dead letters that came after {since} were replayed ({dead} in the spool now).',
  'alert.dead_letters.what_to_do':
    'Open "Dead letters" on the status page: the cloud\'s answer says what is wrong. Have the POS integrator fix the payload (or ask EmiliaVision), then press Replay.',

  'alert.spool_full.title': 'spool filling up',
  'alert.spool_full.firing':
    "the relay's spool is {full} full ({used} of {max}, alert above {threshold}) since {since}. When it is full, the POS gets 503 and its events are refused.",
  'alert.spool_full.resolved': 'the spool is down to {full} full ({used} of {max}).',
  'alert.spool_full.what_to_do':
    'Restore the internet connection so waiting events drain; or lower spool.retention_days (reload), or raise spool.max_size_mb (restart).',

  'alert.payload_warnings.title': 'payload warnings',
  'alert.payload_warnings.firing':
    'events with payload warnings from {token}: {warned} of {events} since the relay started (first at {since}): {kinds}. The cloud accepts them, but its dashboard may not show them.',
  'alert.payload_warnings.resolved': '{token} now sends clean events: {clean} in a row without payload warnings.',
  'alert.payload_warnings.what_to_do':
    'Send the warnings to the POS integrator: the status page ("Recent events") and `relay events show ID` give their full text.',

  'alert.spool_quarantined.title': 'spool damaged and set aside',
  'alert.spool_quarantined.firing':
    "the disk damaged the relay's spool; at {since} the relay set it aside as {file} and kept taking events in a fresh one, and puts the readable waiting events back on its own ({reason}).",
  'alert.spool_quarantined.resolved': 'the damaged spool file {file} was moved away; nothing else is set aside.',
  'alert.spool_quarantined.what_to_do':
    "Check the PC's disk (SMART, Windows' chkdsk) and its power; keep the file for EmiliaVision support, then move it out of the spool folder.",

  'alert.lane_stalled.title': 'deliveries stalled',
  'alert.lane_stalled.firing':
    'the relay stopped sending the events of {token} ({env}): none was tried since {since} ({lasted}) although {waiting}. They are safe on this PC but do not move.',
  'alert.lane_stalled.resolved':
    'the relay sends the events of {token} ({env}) again (stalled from {since}, for {lasted}).',
  'alert.lane_stalled.what_to_do':
    "Restart the relay (its service); the events go out from where they stopped. Keep the relay's log for EmiliaVision support: it says why the lane stopped.",

  'alert.unknown_token.title': 'unknown token',
  'alert.unknown_token.firing':
    '{pos} keeps sending {token}, which is not an active token in relay.toml: {refused} webhooks refused (HTTP 401) in the last {minutes} min, {total} since the relay started (alert since {since}). Those events are not stored.',
  'alert.unknown_token.resolved':
    'no webhook with {token} for {minutes} min (refused from {since}, for {lasted}; {total} in all).',
  'alert.unknown_token.what_to_do':
    'Compare the token in the POS\'s webhook URL with [[tokens]] in relay.toml: correct the POS, or add the token (active = true) and press "Reload config" on the status page. The refused events were not stored; the POS may send them again.',

  'alert.invalid_body.title': 'webhook bodies refused',
  'alert.invalid_body.firing':
    '{pos} keeps sending webhooks for {token} whose body the relay cannot take: {refused} refused in the last {minutes} min ({kinds}), {total} since the relay started (alert since {since}). Those events are not stored.',
  'alert.invalid_body.resolved':
    'the webhook bodies for {token} are taken again: none refused for {minutes} min (refused from {since}, for {lasted}).',
  'alert.invalid_body.what_to_do':
    'Send the POS integrator the line under "Refused webhooks" on the status page: each body must be one JSON value in UTF-8, at most server.max_body_bytes. The refused events were not stored; the POS may send them again.',

  'alert.admin_login_blocked.title': 'admin password guessed',
  'alert.admin_login_blocked.firing':
    '{client} sent {failures} wrong admin passwords; at {since} the relay blocked it for {minutes} min (its tries are answered 429 unchecked). Webhooks and other addresses are not affected.',
  'alert.admin_login_blocked.resolved': 'the block of {client} ended (blocked from {since}, for {lasted}).',
  'alert.admin_login_blocked.what_to_do':
    'Find the device at that address: someone may be guessing the status page password. If the shared network reaches the relay, keep server.host on 127.0.0.1 or put TLS and a long [admin] password in front; change the password if it may be known.',
  // relay status (cli/commands/status.ts): what a person reads; --json stays English, the machine view.
  'cli.label.relay': 'relay',
  'cli.label.cloud': 'cloud',
  'cli.label.spool': 'spool',
  'cli.label.drain': 'drain',
  'cli.running': 'running at {url} — {status}{version}',
  'cli.version': ' (version {version})',
  'cli.health_ok': 'ok',
  'cli.health_degraded': 'degraded',
  'cli.reachable': 'reachable{since}',
  'cli.unreachable': 'NOT reachable{since}{error}',
  'cli.since': ' since {time}',
  'cli.untried': 'not tried yet (nothing sent since start)',
  'cli.last_delivery': 'last delivery: {when}',
  'cli.none_since_start': 'none since start',
  'cli.paused': 'PAUSED token {token}: {reason}',
  'cli.spool_error': 'ERROR {error}',
  'cli.salvaging': 'putting the readable waiting events of a damaged file back; deliveries wait for it',
  'cli.not_running_at': 'not running (no answer at {url}: {reason})',
  'cli.not_running': 'not running ({reason})',
  'cli.cloud_unknown': 'unknown while the relay is stopped; "relay doctor" checks {url} directly',
  'cli.damaged': 'DAMAGED file set aside at {time}: {file} ({reason})',
  'cli.damaged_hint':
    'its readable waiting events are put back on their own; keep the file for support, then move it away',
  'cli.no_events': 'no events in the spool',
  'cli.col.token': 'TOKEN',
  'cli.col.env': 'ENV',
  'cli.col.pending': 'PENDING',
  'cli.col.oldest': 'OLDEST PENDING',
  'cli.col.delivered': 'DELIVERED',
  'cli.col.dead': 'DEAD',
  'cli.total': 'total',
  'cli.dead_hint':
    'dead letters: relay events list --status dead; re-send with relay events replay ID... or --all-dead',
  // relay doctor (cli/lib/diagnose*.ts, commands/doctor.ts): each verdict; the check ids stay as they are.
  'doctor.config': '{path} is valid: {tokens} token(s), {active} active',
  'doctor.config_none_active':
    '{path} is valid: {tokens} token(s), {active} active (no active token: every POST is refused with 401)',
  'doctor.config_invalid': 'the config is not valid (see the problems above); fix it, then run relay doctor again',
  'doctor.token_format': 'token {token}: not a UUID (36 characters, 4 dashes), as the cloud issues them',
  'doctor.relay_running': 'running at {url}: {status}',
  'doctor.relay_running_degraded': 'running at {url}: {status} (see relay status)',
  'doctor.relay_stopped': 'not running{at} ({reason}); the POS gets no answer until it runs',
  'doctor.relay_at': ' at {url}',
  'doctor.token_inactive': 'token {token}: inactive in the config, not tested',
  'doctor.token_untested': 'token {token}: not tested, the cloud is unreachable{route}',
  'doctor.token_result': 'token {token}: {result}',
  'doctor.request_failed': 'request failed: {error}',
  'doctor.not_sent': 'not sent to the cloud: {why}',
  'doctor.token_refused':
    'token invalid or inactive (the cloud answered 401); ask EmiliaVision (team@emiliavision.com) to check it',
  'doctor.unexpected': 'unexpected answer {status}: {body}',
  'doctor.accepted': 'accepted by the cloud (?env=dev diagnostic_test{event_id}, {ms} ms)',
  'doctor.clock_year': "the PC's clock says {local}: set the date and time (enable NTP)",
  'doctor.clock_no_date': '{local}; not compared: no Date header from the cloud',
  'doctor.clock_ahead':
    "the PC's clock is {secs} s ahead of the cloud's: fix the time (enable NTP); timestamps the POS sends may be off too",
  'doctor.clock_behind':
    "the PC's clock is {secs} s behind the cloud's: fix the time (enable NTP); timestamps the POS sends may be off too",
  'doctor.clock_ok': "{local}, within {secs} s of the cloud's clock",
  'doctor.cloud_unreachable': 'cannot reach {url}: {error} ({hint})',
  'doctor.hint_proxy': 'check the proxy and its internet access',
  'doctor.hint_direct': 'check the internet connection, firewall, proxy',
  'doctor.cloud_slow': '{url} answered 200 but slowly: {ms} ms{route}',
  'doctor.cloud_ok': '{url} answered 200 in {ms} ms{route}',
  'doctor.failed_one':
    '{n} check(s) failed{warnings}. If the cloud keeps refusing, write to team@emiliavision.com with the first 8 characters of the token.',
  'doctor.failed_other':
    '{n} check(s) failed{warnings}. If the cloud keeps refusing, write to team@emiliavision.com with the first 8 characters of the token.',
  'doctor.warnings': ', {n} warning(s)',
  'doctor.all_passed': 'all checks passed',
  'doctor.all_passed_warned': 'all checks passed ({n} warning(s))',
  'doctor.spool_memory': 'spool.path is :memory:: events are lost when the relay stops',
  'doctor.spool_dir_creatable': '{dir} does not exist yet; the relay creates it at start ({parent} is writable)',
  'doctor.spool_dir_blocked': '{dir} does not exist and {parent} is not writable ({error})',
  'doctor.spool_unwritable': 'cannot write in {dir}: {error}',
  'doctor.spool_new': '{path} does not exist yet; {dir} is writable',
  'doctor.spool_summary': '{pending} pending, {delivered} delivered, {dead} dead-lettered; {used} of {max}',
  'doctor.spool_nearly_full': '{path} is writable but {pct}% full ({summary}); the relay answers 503 when it is full',
  'doctor.spool_ok': '{path} is writable ({summary})',
  'doctor.spool_quarantined':
    'the spool was damaged and set aside at {at}: {file} ({reason}); its readable events were salvaged (relay spool salvage "{file}" runs it again). Check the disk, keep the file for support, then move it away',
  'doctor.dead_letters': '{n} event(s) refused by the cloud: relay events list --status dead, then relay events replay',
  'doctor.disk_none': 'no spool file',
  'doctor.disk_full': 'only {free} free in {dir}: the spool cannot grow',
  'doctor.disk_short': '{free} free in {dir}, less than spool.max_size_mb ({budget}): the disk fills before the quota',
  'doctor.disk_ok': '{free} free in {dir} (spool budget {budget})',
  'doctor.disk_unknown': 'cannot read free space of {dir}: {error}',
  'doctor.files_windows': 'not checked on Windows (its folder permissions decide)',
  'doctor.files_ok': 'the config, spool and log are readable by their owner only',
  'doctor.files_exposed':
    'readable by other accounts on this PC: {files}; they hold full tokens and order bodies: chmod 600 each (relay serve makes new ones owner-only)',
  // Refused webhooks (http/refusal.ts ids) as the status page says them.
  'refusal.unknown_token': '{pos} is sending an unknown or inactive {token}',
  'refusal.invalid_json': '{pos} is sending bodies that are not JSON in UTF-8 ({token})',
  'refusal.too_large': '{pos} is sending bodies over server.max_body_bytes ({token})',
  'refusal.body_timeout':
    '{pos} is sending bodies too slowly: they did not arrive within server.body_timeout_seconds ({token})',
  'refusal.compressed_body':
    '{pos} is sending compressed bodies (Content-Encoding), which the cloud does not read ({token})',
  'refusal.mislabelled_encoding':
    '{pos} is sending bodies labelled Content-Encoding gzip or deflate that are not compressed ({token})',
  'refusal.rate_limited': '{pos} is sending faster than limits.rate_per_token allows ({token})',
  'refusal.spool_full': 'Events for {token} are refused: the spool is full (spool.max_size_mb)',
  'refusal.uploads_busy':
    'Events for {token} are refused: server.max_uploads bodies were already arriving (a slow link, or a flood)',
  'refusal.spool_failing': 'Events for {token} are refused: the spool cannot store them',
  'refusal.bad_request': '{pos} is sending requests the relay cannot read, a bad env or broken HTTP framing ({token})',
  'refusal.not_found': '{pos} is posting to a webhook address with no token or extra parts ({token})',
  'refusal.internal_error': 'Events for {token} are refused by an error inside the relay',
  'refusal.token': 'token {token}',
  'refusal.token_named': 'token {token} "{name}"',
  'refusal.token_other': 'token (one of many others)',
  'refusal.no_token': 'no token',
  'refusal.pos': 'A POS',
  'refusal.pos_at': 'A POS at {client}',
  'refusal.once': 'once',
  'refusal.times': '{n} times',
  'refusal.line': '{what}: {times} since {time}',
  'refusal.more': '… and {n} more kinds of refused webhooks: see "Refused webhooks" below.',
  'refusals.heading': 'Refused webhooks since start',
  'refusals.hint':
    'The POS is answered with the status and a {detail}; it is not told again here. Counts are also on /metrics as {metric}.',
  'refusals.none': 'No webhook refused since start.',
  'col.http_status': 'Status',
  'col.last': 'Last',
  // Payload warnings (warnings/definitions.ts ids): what each means for the restaurant's data, on the status page and in alerts.
  'warning.not_an_object': 'The payload is not one JSON object, so it has no event, timestamp or table_number fields.',
  'warning.missing_event':
    'No event type: the cloud cannot tell an order from a payment (basic guide, "Include event type").',
  'warning.missing_table_number':
    'No table_number: the most common silent failure (guide v2.0, "Missing Critical Fields"); v1.0 called it table.',
  'warning.missing_timestamp': 'No timestamp, session_start or session_end: the event cannot be placed in time.',
  'warning.timestamp_without_timezone':
    'A timestamp without Z or a ±hh:mm offset is read in the wrong timezone (guide v2.0, "Incorrect Timestamps").',
  'warning.timestamp_not_iso8601':
    'A timestamp that is not an ISO 8601 date-time with timezone (basic guide, "Include timestamps").',
  'warning.items_without_timestamp':
    'Items without a timestamp: the dashboard cannot tell when each was ordered (guide v2.0).',
  'warning.items_without_employee_id':
    'Items without employee_id: the dashboard cannot tell who took the order (guide v2.0).',
  'warning.timestamp_wrong_timezone':
    'A timestamp whose offset is not the site\'s at that instant (UTC from a São Paulo POS, -05:00 in a New York summer): the dashboard files the event at the wrong hour (guide v2.0, "Using wrong timezone").',
  'warning.timestamp_in_future':
    "A timestamp more than warnings.clock_ahead_minutes ahead of the relay's clock: the POS clock is probably wrong, and its events sort wrongly.",
  'warning.relay_clock_off':
    "A timestamp ahead of the relay's clock while the relay PC's own clock is off against the cloud's Date header: fix this PC's time (NTP), not the POS.",
  'warning.table_number_inconsistent':
    'A table_number in another naming scheme than this POS usually sends ("Table 12" among "Mesa 8"s): the dashboard sees two tables (guide v2.0, "Use Consistent Identifiers").',
  'warning.utf8_bom':
    "The body began with a UTF-8 byte order mark (.NET's StreamWriter with Encoding.UTF8 writes one): JSON senders must not add it (RFC 8259 §8.1) and a cloud parser may refuse the event, so the relay stored and forwarded the JSON after it.",
  'warning.test_data_in_prod':
    'Test data (a connection_test, "Test Table", "test": true) sent to production: it lands among real orders; tests go to ?env=dev (guide v2.0, "Wrong Environment").',
} as const;

export type MessageKey = keyof typeof en;

/** What every other language's catalog is: the same keys, each a sentence. */
export type Catalog = { readonly [K in MessageKey]: string };
