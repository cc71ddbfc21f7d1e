import type { Catalog } from './en.ts';

/** Latin-American Spanish, as a restaurant manager in Buenos Aires or Ciudad de México reads it. */
export const es: Catalog = {
  'when.never': 'nunca',
  'when.now': 'ahora mismo',
  'when.ago': 'hace {d}',
  'word.none': 'ninguno',
  'word.no_answer': 'sin respuesta',
  'word.ok': 'ok',
  'word.failed': 'falló',

  'page.title': 'Estado del relay',
  'page.heading': 'Relay EmiliaVision',
  'page.version': 'versión {version}',
  'page.as_of': 'al',
  'page.footer_json': 'JSON',
  'page.footer_health': 'Salud',
  'page.site_unnamed': 'sin nombre en [site] name',
  'page.local_time': 'hora local',

  'level.ok': 'Todo bien',
  'level.warn': 'Funcionando, requiere atención',
  'level.degraded': 'Con problemas',
  'banner.all_delivered':
    'La nube responde y no hay nada en espera: cada evento recibido se entregó o figura más abajo.',
  'banner.on_the_way_one': 'La nube responde; {n} evento está en camino (ver "En espera por token" más abajo).',
  'banner.on_the_way_other': 'La nube responde; {n} eventos están en camino (ver "En espera por token" más abajo).',
  'banner.warn': 'El relay recibe y guarda los eventos, pero hay algo más abajo que conviene revisar.',
  'banner.degraded': 'El relay sigue recibiendo eventos, pero hay un problema con la entrega o el almacenamiento:',

  'card.cloud': 'Nube',
  'cloud.untried': 'todavía sin probar',
  'cloud.reachable': 'accesible',
  'cloud.unreachable': 'inaccesible',
  'cloud.since': 'desde',
  'cloud.last_delivery': 'última entrega',
  'card.waiting': 'En espera',
  'card.nothing_waits': 'nada en espera',
  'card.oldest_for': 'el más antiguo hace {d}',
  'card.delivered': 'Entregados',
  'card.kept_days': 'se guardan {days} días después de la entrega y luego se borran',
  'card.dead': 'Rechazados',
  'card.dead_hint': 'rechazados por la nube; reenviar después de corregir',
  'card.spool': 'Almacenamiento',
  'card.spool_of': '{used} de {max}',

  'lanes.heading': 'En espera por token y entorno',
  'lanes.none': 'Todavía no hay eventos.',
  'col.token': 'Token',
  'col.env': 'Entorno',
  'col.waiting': 'En espera',
  'col.oldest_waiting': 'Más antiguo en espera',
  'col.delivered': 'Entregados',
  'col.dead': 'Rechazados',
  'col.why_waiting': 'Por qué espera',
  'col.reason': 'Motivo',
  'col.next_try': 'Próximo intento',
  'col.received': 'Recibido',
  'col.event_id': 'Id del evento',
  'col.cloud_answer': 'Respuesta de la nube',
  'col.warnings': 'Avisos',
  'col.status': 'Estado',
  'col.attempts': 'Intentos',
  'col.last_answer': 'Última respuesta',
  'col.warning': 'Aviso',
  'col.count': 'Cantidad',
  'col.meaning': 'Qué significa',
  'col.since': 'Desde',
  'col.condition': 'Condición',
  'col.message': 'Mensaje',
  'col.receiver': 'Destino',
  'col.last_send': 'Último envío',
  'col.failures': 'Fallas',
  'col.signal': 'Señal',
  'col.last_push': 'Último envío',
  'col.sent': 'Enviados',
  'col.failed': 'Fallidos',
  'why.paused': 'en pausa: {reason}; se reintenta cada forward.max_backoff_seconds',
  'why.not_tried': 'enviándose (todavía sin intentos)',
  'why.retrying_one': 'reintentando: {n} intento, el último{ago} recibió {answer}{error}',
  'why.retrying_other': 'reintentando: {n} intentos, el último{ago} recibió {answer}{error}',
  'why.ago': ' hace {d}',

  'status.pending': 'en espera',
  'status.delivered': 'entregado',
  'status.dead': 'rechazado',
  'event.not_tried': 'todavía sin intentos',

  'paused.heading': 'Tokens en pausa',

  'dead.heading': 'Rechazados',
  'dead.replay_all': 'Reenviar todos ({n})',
  'dead.replay': 'Reenviar',
  'dead.none': 'Ninguno: la nube aceptó todo lo que se le envió.',
  'dead.hint':
    'La nube rechazó estos eventos (400, 413, 422...). Su respuesta dice por qué. Corrija el POS o el lado de la nube y luego haga clic en Reenviar: el evento vuelve al principio de su fila.',

  'activity.heading': 'Últimas 24 horas',
  'activity.hint':
    'Eventos cada {minutes} minutos, hora de {zone}: recibidos arriba, entregados debajo en la misma escala (una diferencia son eventos esperando), webhooks rechazados abajo, en su propia escala.',
  'activity.since_start':
    'Contado desde que el relay arrancó a las {time}: los intervalos anteriores son desconocidos (gris).',
  'activity.received': 'recibidos',
  'activity.delivered': 'entregados',
  'activity.refused': 'rechazados',
  'activity.peak': 'máximo: {n} por intervalo',
  'activity.bucket': '{from}–{to}: {received} recibidos, {delivered} entregados, {refused} rechazados',
  'activity.unknown': '{from}–{to}: antes de que arrancara el relay, sin contar',
  'activity.last': 'Último recibido {received}; último entregado {delivered}.',
  'activity.last_at': 'entre {from} y {to}',
  'activity.last_none': 'ninguno en el gráfico',
  'recent.heading': 'Eventos recientes',
  'recent.none': 'Todavía no hay eventos. El POS envía a {path}.',

  'warnings.heading': 'Avisos de contenido desde el inicio',
  'warnings.hint':
    'La nube responde 200 a estos eventos, pero su guía dice que los datos pueden no llegar nunca al panel. Al POS se le avisa en el campo {field} de la respuesta.',
  'warnings.none': 'Sin avisos: cada evento traía lo que pide la guía.',

  'alerts.heading': 'Alertas',
  'alerts.no_receiver':
    'No hay destino configurado ([alerts] webhook_url o smtp_url): nadie se entera cuando el relay necesita a una persona.',
  'alerts.none_firing': 'Ninguna alerta activa.',
  'alerts.nothing_sent': 'todavía no se envió nada',
  'alerts.last_sent': 'Últimos enviados',
  'alerts.state_firing': 'activa',
  'alerts.state_resolved': 'resuelta',

  'telemetry.heading': 'Telemetría',
  'telemetry.pushed': 'Se envía por OTLP/HTTP a {endpoint} cada {every} como el sitio {site}.',
  'telemetry.failing_since': 'fallando desde',
  'telemetry.ok': 'ok',
  'telemetry.nothing_pushed': 'todavía no se envió nada',
  'telemetry.dropped': '{n} aviso(s) y error(es) del log sin enviar (límite de envío o envíos fallidos).',

  'logins.heading': 'Contraseñas de administrador incorrectas desde el inicio',
  'logins.counts_one':
    '{wrong} incorrectas, {refused} más rechazadas sin revisar (429: la dirección tenía que esperar), {n} bloqueo',
  'logins.counts_other':
    '{wrong} incorrectas, {refused} más rechazadas sin revisar (429: la dirección tenía que esperar), {n} bloqueos',
  'logins.last_from': '; la última desde {client}',
  'logins.blocked_until': '{client} bloqueado hasta {until} ({n} contraseñas incorrectas)',

  'config.heading': 'Configuración vigente',
  'config.reload': 'Recargar configuración',
  'config.hint':
    'Vuelve a leer el archivo de configuración: tokens y límites cambian al instante. Un archivo con errores se rechaza, se muestran sus problemas y esta configuración sigue vigente. Los secretos aparecen enmascarados.',

  'attention.spool_filling':
    'El almacenamiento está al {pct}% (spool.max_size_mb): cuando se llene, los eventos nuevos se rechazarán (503) hasta que la nube reciba algunos.',
  'attention.dead_one':
    'La nube rechazó {n} evento (rechazados): lea la respuesta de la nube más abajo, corrija la causa y luego haga clic en Reenviar.',
  'attention.dead_other':
    'La nube rechazó {n} eventos (rechazados): lea la respuesta de la nube más abajo, corrija la causa y luego haga clic en Reenviar.',
  'attention.lane_waited': '{n} evento(s) del token {token} ({env}) llevan hasta {d} en espera: {why}',
  'attention.blocked':
    '{client} está bloqueado hasta {until} después de {n} contraseñas de administrador incorrectas: alguien ahí puede estar intentando adivinar la contraseña.',
  'attention.amber_until': '{detail} Si dura {d} (admin.outage_amber_seconds), el relay pasa a mostrar Con problemas.',

  'drain.empty': 'nada en espera',
  'drain.stalled': 'la fila no avanza: ningún evento llegó a la nube en el último minuto',
  'drain.draining': 'unos {d} para vaciarse al ritmo del último minuto ({pace} eventos/s)',

  'js.updated': 'actualizado a las {time}',
  'js.unreachable': 'no se puede contactar al relay ({error}); reintentando',
  'js.replayed': 'El evento {id} volvió a su fila y se enviará ahora.',
  'js.confirm_replay_all': '¿Enviar de nuevo a la nube todos los rechazados?',
  'js.replayed_all': '{n} rechazado(s) de vuelta en sus filas.',
  'js.reloaded': 'Configuración recargada: {n} token(s) vigentes.',
  'js.reload_refused': 'Configuración rechazada; la configuración actual sigue vigente. Problemas:',
  'js.request_failed': 'La solicitud falló: {error}',

  'reason.token': 'token {token}',
  'reason.token_named': 'token {token} ({name})',
  'reason.spool_failing': 'El almacenamiento no puede escribir, así que los eventos nuevos se rechazan (503): {error}',
  'reason.spool_full':
    'El almacenamiento está lleno ({used} de {max}, spool.max_size_mb): los eventos nuevos se rechazan (503) hasta que la nube reciba algunos.',
  'reason.spool_quarantined_salvaging':
    'El archivo de almacenamiento estaba dañado y se apartó el {at}: {file} ({why}). El relay siguió recibiendo eventos en un almacenamiento nuevo y ahora está recuperando los eventos pendientes que se pueden leer (las entregas esperan a que termine). Guarde el archivo para el soporte de EmiliaVision, revise el disco y luego saque el archivo de la carpeta del almacenamiento para quitar este aviso.',
  'reason.spool_quarantined':
    'El archivo de almacenamiento estaba dañado y se apartó el {at}: {file} ({why}). El relay siguió recibiendo eventos en un almacenamiento nuevo; los eventos pendientes que se podían leer se recuperaron. Guarde el archivo para el soporte de EmiliaVision, revise el disco y luego saque el archivo de la carpeta del almacenamiento para quitar este aviso.',
  'reason.cloud_unreachable':
    'La nube no responde{lasted} ({why}). Los eventos quedan guardados en el disco y se envían cuando responda.',
  'reason.cloud_lasted': ' hace {d}',
  'reason.token_paused':
    'La nube rechaza el {token} por inválido o inactivo (401). Sus eventos quedan guardados y se reintentan; pida a EmiliaVision que lo reactive.',
  'reason.lane_stalled':
    'Hay eventos del {token} ({env}) en espera, y el relay no intenta enviarlos desde hace {d} más de lo previsto. El log dice por qué; reiniciar el relay los pone en marcha.',
  'reason.log_failing_one':
    'No se puede escribir el log ({error}); {n} línea perdida desde el inicio. Los eventos se siguen recibiendo y entregando. Libere espacio en el disco donde está el log.',
  'reason.log_failing_other':
    'No se puede escribir el log ({error}); {n} líneas perdidas desde el inicio. Los eventos se siguen recibiendo y entregando. Libere espacio en el disco donde está el log.',
  'reason.unknown_error': 'error desconocido',
  'reason.clock_stepped':
    'El reloj de la PC saltó {d} {direction} ({ms} ms) el {at}, hace {ago}: las horas registradas en ese momento (received_at, el log) están corridas en esa medida. Revise la sincronización de hora de esta PC (NTP) y la pila de la placa madre.',
  'reason.back': 'hacia atrás',
  'reason.forwards': 'hacia adelante',
  'alert.head_firing': '🔴 {site}: ',
  'alert.head_still': '🔴 {site}, sigue: ',
  'alert.head_resolved': '✅ {site}, resuelto: ',
  'alert.what_to_do': 'Qué hacer: {what}',
  'alert.nothing_to_do': 'No hay nada que hacer.',
  'alert.subject': '[relay] {site}: {title}',
  'alert.subject_still': '[relay] {site}: {title} (sigue)',
  'alert.subject_resolved': '[relay] {site}: {title} (resuelto)',
  'alert.test_text':
    '🧪 {site}: alerta de prueba del relay (relay alerts test). Si está leyendo esto, las alertas le llegan; no hay ningún problema.',
  'alert.test_what_to_do': 'Nada: es una prueba. Las alertas reales se ven así.',
  'alert.test_subject': '[relay] {site}: alerta de prueba',
  'alert.time_other_day': '{time} del {day}',
  'alert.mail_site': 'Local',
  'alert.mail_condition': 'Condición',
  'alert.mail_since': 'Desde',
  'alert.mail_details': 'Detalles',
  'alert.waiting_one': '{n} evento espera',
  'alert.waiting_other': '{n} eventos esperan',
  'alert.events_one': '{n} evento',
  'alert.events_other': '{n} eventos',
  'alert.dead_letters_one': '{n} evento rechazado',
  'alert.dead_letters_other': '{n} eventos rechazados',
  'alert.token': 'token {token}',
  'alert.token_named': 'token {token} ({name})',
  'alert.pos': 'un POS',
  'alert.pos_at': 'un POS en {client}',
  'alert.no_answer': 'sin respuesta',
  'alert.no_failures': 'ninguna falla',
  'alert.last_error': '; último error: {error}',
  'alert.body.invalid_json': 'no es JSON en UTF-8 (HTTP 400)',
  'alert.body.too_large': 'supera server.max_body_bytes (HTTP 413)',
  'alert.body.body_timeout': 'demasiado lento para llegar dentro de server.body_timeout_seconds (HTTP 408)',

  'alert.cloud_unreachable.title': 'nube inaccesible',
  'alert.cloud_unreachable.firing':
    'el relay no llega a la nube de EmiliaVision desde las {since} ({lasted}{last_error}). {waiting} seguros en esta PC.',
  'alert.cloud_unreachable.resolved':
    'la nube de EmiliaVision vuelve a responder (inaccesible desde las {since}, durante {lasted}); los eventos en espera salen en orden.',
  'alert.cloud_unreachable.what_to_do':
    'Revise la conexión a internet de esta PC (y el proxy, si hay uno). No se pierde nada: los eventos en espera salen en orden en cuanto la nube responda.',

  'alert.oldest_pending.title': 'eventos esperando demasiado',
  'alert.oldest_pending.firing':
    '{waiting} a la nube; el más antiguo ({token}, {env}) se recibió a las {since}, hace {lasted} (alerta después de {threshold} min).',
  'alert.oldest_pending.resolved':
    'ya no hay eventos esperando más de {threshold} min (la fila empezó a las {since}; {events} en espera ahora).',
  'alert.oldest_pending.what_to_do':
    'Abra la página de estado, "En espera por token": muestra por qué esperan (sin internet, un token rechazado, errores de la nube). No se pierde nada.',

  'alert.success_rate.title': 'tasa de entrega baja',
  'alert.success_rate.firing':
    'solo {rate} de las últimas {attempts} entregas a la nube salieron bien (alerta por debajo de {threshold}) desde las {since}: {codes}.',
  'alert.success_rate.resolved':
    'las entregas vuelven a salir bien: {rate} de las últimas {attempts} (estuvo baja desde las {since}, durante {lasted}).',
  'alert.success_rate.what_to_do':
    'El relay reintenta solo y guarda todos los eventos. Si sigue así, anote las respuestas de la nube en la página de estado y envíelas al soporte de EmiliaVision.',

  'alert.token_paused.title': 'token rechazado por la nube',
  'alert.token_paused.firing':
    'la nube rechaza el {token} por inválido o inactivo (HTTP 401) desde las {since}; sus eventos quedan guardados y se reintentan.',
  'alert.token_paused.resolved':
    'la nube vuelve a aceptar el {token} (rechazado desde las {since}, durante {lasted}); sus eventos guardados están saliendo.',
  'alert.token_paused.what_to_do':
    'Compare ese token en relay.toml con el que emitió EmiliaVision, corríjalo y haga clic en "Recargar configuración" en la página de estado; o pida a EmiliaVision que lo reactive.',

  'alert.dead_letters.title': 'nuevos eventos rechazados',
  'alert.dead_letters.firing':
    'la nube rechazó definitivamente {events} desde las {since} ({dead} en el almacenamiento ahora).',
  'alert.dead_letters.resolved':
    'los eventos rechazados después de las {since} se reenviaron ({dead} en el almacenamiento ahora).',
  'alert.dead_letters.what_to_do':
    'Abra "Rechazados" en la página de estado: la respuesta de la nube dice qué está mal. Pida al integrador del POS que corrija el contenido (o consulte a EmiliaVision) y luego haga clic en Reenviar.',

  'alert.spool_full.title': 'almacenamiento llenándose',
  'alert.spool_full.firing':
    'el almacenamiento del relay está al {full} ({used} de {max}, alerta por encima de {threshold}) desde las {since}. Cuando se llene, el POS recibe 503 y sus eventos se rechazan.',
  'alert.spool_full.resolved': 'el almacenamiento bajó al {full} ({used} de {max}).',
  'alert.spool_full.what_to_do':
    'Restablezca la conexión a internet para que la fila se vacíe; o baje spool.retention_days (recargar), o suba spool.max_size_mb (reiniciar).',

  'alert.payload_warnings.title': 'avisos de contenido',
  'alert.payload_warnings.firing':
    'eventos con avisos de contenido del {token}: {warned} de {events} desde que arrancó el relay (el primero a las {since}): {kinds}. La nube los acepta, pero su panel puede no mostrarlos.',
  'alert.payload_warnings.resolved':
    'el {token} ahora envía eventos correctos: {clean} seguidos sin avisos de contenido.',
  'alert.payload_warnings.what_to_do':
    'Envíe los avisos al integrador del POS: la página de estado ("Eventos recientes") y `relay events show ID` traen el texto completo.',

  'alert.spool_quarantined.title': 'almacenamiento dañado y apartado',
  'alert.spool_quarantined.firing':
    'el disco dañó el almacenamiento del relay; a las {since} el relay lo apartó como {file} y siguió recibiendo eventos en uno nuevo, y recupera solo los eventos pendientes que se pueden leer ({reason}).',
  'alert.spool_quarantined.resolved': 'el archivo dañado {file} se retiró; no queda nada más apartado.',
  'alert.spool_quarantined.what_to_do':
    'Revise el disco de la PC (SMART, chkdsk de Windows) y la alimentación; guarde el archivo para el soporte de EmiliaVision y luego sáquelo de la carpeta del almacenamiento.',

  'alert.lane_stalled.title': 'entregas detenidas',
  'alert.lane_stalled.firing':
    'el relay dejó de enviar los eventos del {token} ({env}): no se intentó ninguno desde las {since} ({lasted}) aunque {waiting}. Están seguros en esta PC, pero no avanzan.',
  'alert.lane_stalled.resolved':
    'el relay vuelve a enviar los eventos del {token} ({env}) (detenido desde las {since}, durante {lasted}).',
  'alert.lane_stalled.what_to_do':
    'Reinicie el relay (su servicio); los eventos salen desde donde se detuvieron. Guarde el log del relay para el soporte de EmiliaVision: dice por qué se detuvo la fila.',

  'alert.unknown_token.title': 'token desconocido',
  'alert.unknown_token.firing':
    '{pos} sigue enviando el {token}, que no es un token activo en relay.toml: {refused} webhooks rechazados (HTTP 401) en los últimos {minutes} min, {total} desde que arrancó el relay (alerta desde las {since}). Esos eventos no se guardan.',
  'alert.unknown_token.resolved':
    'ningún webhook con el {token} en {minutes} min (rechazado desde las {since}, durante {lasted}; {total} en total).',
  'alert.unknown_token.what_to_do':
    'Compare el token de la URL de webhook del POS con [[tokens]] en relay.toml: corrija el POS, o agregue el token (active = true) y haga clic en "Recargar configuración" en la página de estado. Los eventos rechazados no se guardaron; el POS puede volver a enviarlos.',

  'alert.invalid_body.title': 'contenido de webhooks rechazado',
  'alert.invalid_body.firing':
    '{pos} sigue enviando webhooks del {token} con un contenido que el relay no acepta: {refused} rechazados en los últimos {minutes} min ({kinds}), {total} desde que arrancó el relay (alerta desde las {since}). Esos eventos no se guardan.',
  'alert.invalid_body.resolved':
    'los webhooks del {token} se vuelven a aceptar: ninguno rechazado en {minutes} min (rechazados desde las {since}, durante {lasted}).',
  'alert.invalid_body.what_to_do':
    'Envíe al integrador del POS la línea de "Webhooks rechazados" en la página de estado: cada contenido debe ser un solo valor JSON en UTF-8, de hasta server.max_body_bytes. Los eventos rechazados no se guardaron; el POS puede volver a enviarlos.',

  'alert.admin_login_blocked.title': 'intento de adivinar la contraseña de administrador',
  'alert.admin_login_blocked.firing':
    '{client} envió {failures} contraseñas de administrador incorrectas; a las {since} el relay lo bloqueó por {minutes} min (sus intentos reciben 429 sin revisión). Los webhooks y las demás direcciones no se ven afectados.',
  'alert.admin_login_blocked.resolved':
    'terminó el bloqueo de {client} (bloqueado desde las {since}, durante {lasted}).',
  'alert.admin_login_blocked.what_to_do':
    'Busque el equipo con esa dirección: alguien puede estar intentando adivinar la contraseña de la página de estado. Si la red compartida llega al relay, deje server.host en 127.0.0.1 o ponga TLS y una contraseña [admin] larga delante; cambie la contraseña si pudo haberse conocido.',
  'cli.label.relay': 'relay',
  'cli.label.cloud': 'nube',
  'cli.label.spool': 'almacenamiento',
  'cli.label.drain': 'vaciado',
  'cli.running': 'en ejecución en {url} — {status}{version}',
  'cli.version': ' (versión {version})',
  'cli.health_ok': 'ok',
  'cli.health_degraded': 'con problemas',
  'cli.reachable': 'accesible{since}',
  'cli.unreachable': 'INACCESIBLE{since}{error}',
  'cli.since': ' desde {time}',
  'cli.untried': 'todavía sin probar (no se envió nada desde el inicio)',
  'cli.last_delivery': 'última entrega: {when}',
  'cli.none_since_start': 'ninguna desde el inicio',
  'cli.paused': 'token {token} EN PAUSA: {reason}',
  'cli.spool_error': 'ERROR {error}',
  'cli.salvaging':
    'recuperando los eventos pendientes legibles de un archivo dañado; las entregas esperan a que termine',
  'cli.not_running_at': 'detenido (sin respuesta en {url}: {reason})',
  'cli.not_running': 'detenido ({reason})',
  'cli.cloud_unknown': 'desconocida mientras el relay está detenido; "relay doctor" prueba {url} directamente',
  'cli.damaged': 'archivo DAÑADO apartado el {time}: {file} ({reason})',
  'cli.damaged_hint':
    'sus eventos pendientes legibles se recuperan solos; guarde el archivo para el soporte y luego retírelo',
  'cli.no_events': 'no hay eventos en el almacenamiento',
  'cli.col.token': 'TOKEN',
  'cli.col.env': 'ENTORNO',
  'cli.col.pending': 'EN ESPERA',
  'cli.col.oldest': 'MÁS ANTIGUO',
  'cli.col.delivered': 'ENTREGADOS',
  'cli.col.dead': 'RECHAZADOS',
  'cli.total': 'total',
  'cli.dead_hint': 'rechazados: relay events list --status dead; reenvíe con relay events replay ID... o --all-dead',
  'doctor.config': '{path} es válido: {tokens} token(s), {active} activo(s)',
  'doctor.config_none_active':
    '{path} es válido: {tokens} token(s), {active} activo(s) (ningún token activo: todo POST se rechaza con 401)',
  'doctor.config_invalid':
    'la configuración no es válida (vea los problemas arriba); corríjala y vuelva a ejecutar relay doctor',
  'doctor.token_format': 'token {token}: no es un UUID (36 caracteres, 4 guiones), como los emite la nube',
  'doctor.relay_running': 'en ejecución en {url}: {status}',
  'doctor.relay_running_degraded': 'en ejecución en {url}: {status} (vea relay status)',
  'doctor.relay_stopped': 'detenido{at} ({reason}); el POS no recibe respuesta hasta que arranque',
  'doctor.relay_at': ' en {url}',
  'doctor.token_inactive': 'token {token}: inactivo en la configuración, no se probó',
  'doctor.token_untested': 'token {token}: no se probó, la nube está inaccesible{route}',
  'doctor.token_result': 'token {token}: {result}',
  'doctor.request_failed': 'la solicitud falló: {error}',
  'doctor.not_sent': 'no se envió a la nube: {why}',
  'doctor.token_refused':
    'token inválido o inactivo (la nube respondió 401); pida a EmiliaVision (team@emiliavision.com) que lo revise',
  'doctor.unexpected': 'respuesta inesperada {status}: {body}',
  'doctor.accepted': 'aceptado por la nube (diagnostic_test con ?env=dev{event_id}, {ms} ms)',
  'doctor.clock_year': 'el reloj de la PC marca {local}: ajuste la fecha y la hora (active NTP)',
  'doctor.clock_no_date': '{local}; no se comparó: la nube no envió el encabezado Date',
  'doctor.clock_ahead':
    'el reloj de la PC está {secs} s adelantado respecto del de la nube: ajuste la hora (active NTP); las horas que envía el POS también pueden estar corridas',
  'doctor.clock_behind':
    'el reloj de la PC está {secs} s atrasado respecto del de la nube: ajuste la hora (active NTP); las horas que envía el POS también pueden estar corridas',
  'doctor.clock_ok': '{local}, a menos de {secs} s del reloj de la nube',
  'doctor.cloud_unreachable': 'no se puede llegar a {url}: {error} ({hint})',
  'doctor.hint_proxy': 'revise el proxy y su acceso a internet',
  'doctor.hint_direct': 'revise la conexión a internet, el firewall y el proxy',
  'doctor.cloud_slow': '{url} respondió 200, pero lento: {ms} ms{route}',
  'doctor.cloud_ok': '{url} respondió 200 en {ms} ms{route}',
  'doctor.failed_one':
    '{n} verificación falló{warnings}. Si la nube sigue rechazando, escriba a team@emiliavision.com con los primeros 8 caracteres del token.',
  'doctor.failed_other':
    '{n} verificaciones fallaron{warnings}. Si la nube sigue rechazando, escriba a team@emiliavision.com con los primeros 8 caracteres del token.',
  'doctor.warnings': ', {n} aviso(s)',
  'doctor.all_passed': 'todas las verificaciones pasaron',
  'doctor.all_passed_warned': 'todas las verificaciones pasaron ({n} aviso(s))',
  'doctor.spool_memory': 'spool.path es :memory:: los eventos se pierden cuando el relay se detiene',
  'doctor.spool_dir_creatable':
    '{dir} todavía no existe; el relay crea esa carpeta al arrancar ({parent} admite escritura)',
  'doctor.spool_dir_blocked': '{dir} no existe y {parent} no admite escritura ({error})',
  'doctor.spool_unwritable': 'no se puede escribir en {dir}: {error}',
  'doctor.spool_new': '{path} todavía no existe; {dir} admite escritura',
  'doctor.spool_summary': '{pending} en espera, {delivered} entregados, {dead} rechazados; {used} de {max}',
  'doctor.spool_nearly_full':
    '{path} admite escritura, pero está al {pct}% ({summary}); el relay responde 503 cuando se llena',
  'doctor.spool_ok': '{path} admite escritura ({summary})',
  'doctor.spool_quarantined':
    'el almacenamiento estaba dañado y se apartó el {at}: {file} ({reason}); sus eventos legibles se recuperaron (relay spool salvage "{file}" lo hace de nuevo). Revise el disco, guarde el archivo para el soporte y luego retírelo',
  'doctor.dead_letters':
    '{n} evento(s) rechazado(s) por la nube: relay events list --status dead, luego relay events replay',
  'doctor.disk_none': 'sin archivo de almacenamiento',
  'doctor.disk_full': 'solo {free} libres en {dir}: el almacenamiento no puede crecer',
  'doctor.disk_short':
    '{free} libres en {dir}, menos que spool.max_size_mb ({budget}): el disco se llena antes que la cuota',
  'doctor.disk_ok': '{free} libres en {dir} (cuota del almacenamiento {budget})',
  'doctor.disk_unknown': 'no se puede leer el espacio libre de {dir}: {error}',
  'doctor.files_windows': 'no se revisa en Windows (deciden los permisos de las carpetas)',
  'doctor.files_ok': 'la configuración, el almacenamiento y el log solo los puede leer su dueño',
  'doctor.files_exposed':
    'otras cuentas de esta PC pueden leer: {files}; contienen tokens completos y el contenido de los pedidos: chmod 600 a cada uno (relay serve crea los nuevos solo para el dueño)',
  'refusal.unknown_token': '{pos} está enviando un {token} desconocido o inactivo',
  'refusal.invalid_json': '{pos} está enviando contenidos que no son JSON en UTF-8 ({token})',
  'refusal.too_large': '{pos} está enviando contenidos que superan server.max_body_bytes ({token})',
  'refusal.body_timeout':
    '{pos} está enviando contenidos demasiado lento: no llegaron dentro de server.body_timeout_seconds ({token})',
  'refusal.compressed_body':
    '{pos} está enviando contenidos comprimidos (Content-Encoding), que la nube no lee ({token})',
  'refusal.mislabelled_encoding':
    '{pos} está enviando contenidos marcados como Content-Encoding gzip o deflate que no están comprimidos ({token})',
  'refusal.rate_limited': '{pos} está enviando más rápido de lo que permite limits.rate_per_token ({token})',
  'refusal.spool_full': 'Los eventos del {token} se rechazan: el almacenamiento está lleno (spool.max_size_mb)',
  'refusal.uploads_busy':
    'Los eventos del {token} se rechazan: ya estaban llegando server.max_uploads contenidos (conexión lenta o avalancha)',
  'refusal.spool_failing': 'Los eventos del {token} se rechazan: el almacenamiento no puede guardarlos',
  'refusal.bad_request':
    '{pos} está enviando solicitudes que el relay no puede leer, un env inválido o HTTP mal formado ({token})',
  'refusal.not_found': '{pos} está enviando a una dirección de webhook sin token o con partes de más ({token})',
  'refusal.internal_error': 'Los eventos del {token} se rechazan por un error dentro del relay',
  'refusal.token': 'token {token}',
  'refusal.token_named': 'token {token} "{name}"',
  'refusal.token_other': 'token (uno entre muchos otros)',
  'refusal.no_token': 'sin token',
  'refusal.pos': 'Un POS',
  'refusal.pos_at': 'Un POS en {client}',
  'refusal.once': 'una vez',
  'refusal.times': '{n} veces',
  'refusal.line': '{what}: {times} desde las {time}',
  'refusal.more': '… y {n} tipos más de webhooks rechazados: ver "Webhooks rechazados" más abajo.',
  'refusals.heading': 'Webhooks rechazados desde el inicio',
  'refusals.hint':
    'Al POS se le responde con el estado y un {detail}; aquí no se le vuelve a avisar. Los conteos también están en /metrics como {metric}.',
  'refusals.none': 'Ningún webhook rechazado desde el inicio.',
  'col.http_status': 'Estado',
  'col.last': 'Último',
  'warning.not_an_object':
    'El contenido no es un único objeto JSON, así que no tiene los campos event, timestamp ni table_number.',
  'warning.missing_event':
    'Sin tipo de evento: la nube no puede distinguir un pedido de un pago (guía básica, "Include event type").',
  'warning.missing_table_number':
    'Sin table_number: la falla silenciosa más común (guía v2.0, "Missing Critical Fields"); la v1.0 lo llamaba table.',
  'warning.missing_timestamp':
    'Sin timestamp, session_start ni session_end: no se puede ubicar el evento en el tiempo.',
  'warning.timestamp_without_timezone':
    'Una hora sin Z ni desplazamiento ±hh:mm se lee en la zona horaria equivocada (guía v2.0, "Incorrect Timestamps").',
  'warning.timestamp_not_iso8601':
    'Una hora que no es una fecha y hora ISO 8601 con zona horaria (guía básica, "Include timestamps").',
  'warning.items_without_timestamp': 'Ítems sin timestamp: el panel no sabe cuándo se pidió cada uno (guía v2.0).',
  'warning.items_without_employee_id': 'Ítems sin employee_id: el panel no sabe quién tomó el pedido (guía v2.0).',
  'warning.timestamp_wrong_timezone':
    'Una hora cuyo desplazamiento no es el del local en ese momento (UTC desde un POS de São Paulo, -05:00 en un verano de Nueva York): el panel registra el evento a la hora equivocada (guía v2.0, "Using wrong timezone").',
  'warning.timestamp_in_future':
    'Una hora más de warnings.clock_ahead_minutes por delante del reloj del relay: el reloj del POS probablemente está mal, y sus eventos quedan desordenados.',
  'warning.relay_clock_off':
    'Una hora por delante del reloj del relay mientras el propio reloj de esta PC está corrido respecto del encabezado Date de la nube: ajuste la hora de esta PC (NTP), no la del POS.',
  'warning.table_number_inconsistent':
    'Un table_number con otro formato de nombre que el que este POS suele enviar ("Table 12" entre "Mesa 8"): el panel ve dos mesas (guía v2.0, "Use Consistent Identifiers").',
  'warning.utf8_bom':
    'El contenido empezó con una marca de orden de bytes UTF-8 (el StreamWriter de .NET con Encoding.UTF8 escribe una): quien envía JSON no debe agregarla (RFC 8259 §8.1) y un lector de la nube puede rechazar el evento, así que el relay guardó y reenvió el JSON que sigue.',
  'warning.test_data_in_prod':
    'Datos de prueba (un connection_test, "Test Table", "test": true) enviados a producción: quedan mezclados con los pedidos reales; las pruebas van a ?env=dev (guía v2.0, "Wrong Environment").',
};
