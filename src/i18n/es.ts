import type { Catalog } from './en.ts';

/** Latin-American Spanish, as a restaurant manager in Buenos Aires or Ciudad de México reads it. */
export const es: Catalog = {
  'when.never': 'nunca',
  'when.now': 'recién',
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
  'attention.lane_waited': '{n} evento(s) del {token} ({env}) llevan hasta {d} en espera: {why}',
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
};
