import type { Catalog } from './en.ts';

/** Brazilian Portuguese, as a restaurant manager in São Paulo reads it. */
export const ptBR: Catalog = {
  'when.never': 'nunca',
  'when.now': 'agora mesmo',
  'when.ago': 'há {d}',
  'word.none': 'nenhum',
  'word.no_answer': 'sem resposta',
  'word.ok': 'ok',
  'word.failed': 'falhou',

  'page.title': 'Status do relay',
  'page.heading': 'Relay EmiliaVision',
  'page.version': 'versão {version}',
  'page.as_of': 'em',
  'page.footer_json': 'JSON',
  'page.footer_health': 'Saúde',
  'page.site_unnamed': 'sem nome em [site] name',
  'page.local_time': 'hora local',

  'level.ok': 'Tudo certo',
  'level.warn': 'Funcionando, precisa de atenção',
  'level.degraded': 'Com problemas',
  'banner.all_delivered':
    'A nuvem responde e nada está esperando: todo evento recebido foi entregue ou aparece abaixo.',
  'banner.on_the_way_one': 'A nuvem responde; {n} evento está a caminho (veja "Aguardando por token" abaixo).',
  'banner.on_the_way_other': 'A nuvem responde; {n} eventos estão a caminho (veja "Aguardando por token" abaixo).',
  'banner.warn': 'O relay recebe e guarda os eventos, mas algo abaixo precisa ser verificado.',
  'banner.degraded': 'O relay continua recebendo eventos, mas há um problema na entrega ou no armazenamento:',

  'card.cloud': 'Nuvem',
  'cloud.untried': 'ainda não testada',
  'cloud.reachable': 'acessível',
  'cloud.unreachable': 'inacessível',
  'cloud.since': 'desde',
  'cloud.last_delivery': 'última entrega',
  'card.waiting': 'Aguardando',
  'card.nothing_waits': 'nada aguardando',
  'card.oldest_for': 'o mais antigo há {d}',
  'card.delivered': 'Entregues',
  'card.kept_days': 'guardados por {days} dias após a entrega, depois apagados',
  'card.dead': 'Rejeitados',
  'card.dead_hint': 'recusados pela nuvem; reenvie depois de corrigir',
  'card.spool': 'Armazenamento',
  'card.spool_of': '{used} de {max}',

  'lanes.heading': 'Aguardando por token e ambiente',
  'lanes.none': 'Nenhum evento ainda.',
  'col.token': 'Token',
  'col.env': 'Ambiente',
  'col.waiting': 'Aguardando',
  'col.oldest_waiting': 'Mais antigo aguardando',
  'col.delivered': 'Entregues',
  'col.dead': 'Rejeitados',
  'col.why_waiting': 'Por que aguarda',
  'col.reason': 'Motivo',
  'col.next_try': 'Próxima tentativa',
  'col.received': 'Recebido',
  'col.event_id': 'Id do evento',
  'col.cloud_answer': 'Resposta da nuvem',
  'col.warnings': 'Avisos',
  'col.status': 'Situação',
  'col.attempts': 'Tentativas',
  'col.last_answer': 'Última resposta',
  'col.warning': 'Aviso',
  'col.count': 'Quantidade',
  'col.meaning': 'O que significa',
  'col.since': 'Desde',
  'col.condition': 'Condição',
  'col.message': 'Mensagem',
  'col.receiver': 'Destino',
  'col.last_send': 'Último envio',
  'col.failures': 'Falhas',
  'col.signal': 'Sinal',
  'col.last_push': 'Último envio',
  'col.sent': 'Enviados',
  'col.failed': 'Falharam',
  'why.paused': 'pausado: {reason}; nova tentativa a cada forward.max_backoff_seconds',
  'why.not_tried': 'sendo enviado (ainda sem tentativa)',
  'why.retrying_one': 'tentando de novo: {n} tentativa, a última{ago} recebeu {answer}{error}',
  'why.retrying_other': 'tentando de novo: {n} tentativas, a última{ago} recebeu {answer}{error}',
  'why.ago': ' há {d}',

  'status.pending': 'aguardando',
  'status.delivered': 'entregue',
  'status.dead': 'rejeitado',
  'event.not_tried': 'ainda sem tentativa',

  'paused.heading': 'Tokens pausados',

  'dead.heading': 'Rejeitados',
  'dead.replay_all': 'Reenviar todos ({n})',
  'dead.replay': 'Reenviar',
  'dead.none': 'Nenhum: a nuvem aceitou tudo o que recebeu.',
  'dead.hint':
    'A nuvem recusou estes eventos (400, 413, 422...). A resposta dela diz o motivo. Corrija o PDV ou o lado da nuvem e clique em Reenviar: o evento volta para o início da fila.',

  'activity.heading': 'Últimas 24 horas',
  'activity.hint':
    'Eventos a cada {minutes} minutos, hora de {zone}: recebidos em cima, entregues abaixo deles na mesma escala (uma diferença são eventos esperando), webhooks recusados embaixo, em escala própria.',
  'activity.since_start':
    'Contado desde que o relay iniciou às {time}: os intervalos anteriores são desconhecidos (cinza).',
  'activity.received': 'recebidos',
  'activity.delivered': 'entregues',
  'activity.refused': 'recusados',
  'activity.peak': 'máximo: {n} por intervalo',
  'activity.bucket': '{from}–{to}: {received} recebidos, {delivered} entregues, {refused} recusados',
  'activity.unknown': '{from}–{to}: antes de o relay iniciar, não contado',
  'activity.last': 'Último recebido {received}; último entregue {delivered}.',
  'activity.last_at': 'entre {from} e {to}',
  'activity.last_none': 'nenhum no gráfico',
  'recent.heading': 'Eventos recentes',
  'recent.none': 'Nenhum evento ainda. O PDV envia para {path}.',

  'warnings.heading': 'Avisos de conteúdo desde o início',
  'warnings.hint':
    'A nuvem responde 200 a estes eventos, mas o guia dela diz que os dados podem não chegar ao painel. O PDV é avisado no campo {field} da resposta.',
  'warnings.none': 'Nenhum aviso: todo evento trouxe o que o guia pede.',

  'alerts.heading': 'Alertas',
  'alerts.no_receiver':
    'Nenhum destino configurado ([alerts] webhook_url ou smtp_url): ninguém é avisado quando o relay precisa de uma pessoa.',
  'alerts.none_firing': 'Nenhum alerta ativo.',
  'alerts.nothing_sent': 'nada enviado ainda',
  'alerts.last_sent': 'Últimos enviados',
  'alerts.state_firing': 'ativo',
  'alerts.state_resolved': 'resolvido',

  'telemetry.heading': 'Telemetria',
  'telemetry.pushed': 'Enviada por OTLP/HTTP para {endpoint} a cada {every} como o site {site}.',
  'telemetry.failing_since': 'falhando desde',
  'telemetry.ok': 'ok',
  'telemetry.nothing_pushed': 'nada enviado ainda',
  'telemetry.dropped': '{n} aviso(s) e erro(s) do log não enviados (limite de envio ou falhas).',

  'logins.heading': 'Senhas de administrador erradas desde o início',
  'logins.counts_one':
    '{wrong} erradas, mais {refused} recusadas sem conferir (429: o endereço precisava esperar), {n} bloqueio',
  'logins.counts_other':
    '{wrong} erradas, mais {refused} recusadas sem conferir (429: o endereço precisava esperar), {n} bloqueios',
  'logins.last_from': '; a última de {client}',
  'logins.blocked_until': '{client} bloqueado até {until} ({n} senhas erradas)',

  'config.heading': 'Configuração em uso',
  'config.reload': 'Recarregar configuração',
  'config.hint':
    'Lê de novo o arquivo de configuração: tokens e limites mudam na hora. Um arquivo com erros é recusado, os problemas aparecem e esta configuração continua valendo. Os segredos aparecem mascarados.',

  'attention.spool_filling':
    'O armazenamento está {pct}% cheio (spool.max_size_mb): quando encher, novos eventos serão recusados (503) até a nuvem receber parte deles.',
  'attention.dead_one':
    '{n} evento foi recusado pela nuvem (rejeitados): leia a resposta da nuvem abaixo, corrija a causa e clique em Reenviar.',
  'attention.dead_other':
    '{n} eventos foram recusados pela nuvem (rejeitados): leia a resposta da nuvem abaixo, corrija a causa e clique em Reenviar.',
  'attention.lane_waited': '{n} evento(s) do token {token} ({env}) aguardam há até {d}: {why}',
  'attention.blocked':
    '{client} está bloqueado até {until} depois de {n} senhas de administrador erradas: alguém ali pode estar tentando adivinhar a senha.',
  'attention.amber_until': '{detail} Se durar {d} (admin.outage_amber_seconds), o relay passa a mostrar Com problemas.',

  'drain.empty': 'nada aguardando',
  'drain.stalled': 'a fila não anda: nenhum evento chegou à nuvem no último minuto',
  'drain.draining': 'cerca de {d} para esvaziar no ritmo do último minuto ({pace} eventos/s)',

  'js.updated': 'atualizado às {time}',
  'js.unreachable': 'sem contato com o relay ({error}); tentando de novo',
  'js.replayed': 'O evento {id} voltou para a fila e será enviado agora.',
  'js.confirm_replay_all': 'Enviar de novo todos os rejeitados para a nuvem?',
  'js.replayed_all': '{n} rejeitado(s) de volta às filas.',
  'js.reloaded': 'Configuração recarregada: {n} token(s) em uso.',
  'js.reload_refused': 'Configuração recusada; a configuração atual continua valendo. Problemas:',
  'js.request_failed': 'A solicitação falhou: {error}',

  'reason.token': 'token {token}',
  'reason.token_named': 'token {token} ({name})',
  'reason.spool_failing': 'O armazenamento não consegue gravar, então novos eventos são recusados (503): {error}',
  'reason.spool_full':
    'O armazenamento está cheio ({used} de {max}, spool.max_size_mb): novos eventos são recusados (503) até a nuvem receber parte deles.',
  'reason.spool_quarantined_salvaging':
    'O arquivo de armazenamento estava danificado e foi separado em {at}: {file} ({why}). O relay continuou recebendo eventos em um armazenamento novo e está recolocando agora os eventos pendentes que dá para ler (as entregas esperam por isso). Guarde o arquivo para o suporte da EmiliaVision, verifique o disco e depois tire o arquivo da pasta do armazenamento para limpar este aviso.',
  'reason.spool_quarantined':
    'O arquivo de armazenamento estava danificado e foi separado em {at}: {file} ({why}). O relay continuou recebendo eventos em um armazenamento novo; os eventos pendentes que dava para ler foram recolocados. Guarde o arquivo para o suporte da EmiliaVision, verifique o disco e depois tire o arquivo da pasta do armazenamento para limpar este aviso.',
  'reason.cloud_unreachable':
    'A nuvem não responde{lasted} ({why}). Os eventos ficam guardados no disco e são enviados quando ela responder.',
  'reason.cloud_lasted': ' há {d}',
  'reason.token_paused':
    'A nuvem recusa o {token} como inválido ou inativo (401). Os eventos dele ficam guardados e são reenviados; peça à EmiliaVision para reativá-lo.',
  'reason.lane_stalled':
    'Há eventos do {token} ({env}) aguardando, e o relay não tenta enviá-los há {d} além do previsto. O log diz o motivo; reiniciar o relay faz a fila andar.',
  'reason.log_failing_one':
    'Não dá para gravar o log ({error}); {n} linha perdida desde o início. Os eventos continuam sendo recebidos e entregues. Libere espaço no disco onde fica o log.',
  'reason.log_failing_other':
    'Não dá para gravar o log ({error}); {n} linhas perdidas desde o início. Os eventos continuam sendo recebidos e entregues. Libere espaço no disco onde fica o log.',
  'reason.unknown_error': 'erro desconhecido',
  'reason.clock_stepped':
    'O relógio do PC pulou {d} {direction} ({ms} ms) em {at}, há {ago}: os horários registrados nesse período (received_at, o log) estão errados nessa medida. Verifique a sincronização de horário deste PC (NTP) e a bateria da placa-mãe.',
  'reason.back': 'para trás',
  'reason.forwards': 'para a frente',
  'alert.head_firing': '🔴 {site}: ',
  'alert.head_still': '🔴 {site}, continua: ',
  'alert.head_resolved': '✅ {site}, resolvido: ',
  'alert.what_to_do': 'O que fazer: {what}',
  'alert.nothing_to_do': 'Nada a fazer.',
  'alert.subject': '[relay] {site}: {title}',
  'alert.subject_still': '[relay] {site}: {title} (continua)',
  'alert.subject_resolved': '[relay] {site}: {title} (resolvido)',
  'alert.test_text':
    '🧪 {site}: alerta de teste do relay (relay alerts test). Se você está lendo isto, os alertas chegam até você; não há nada errado.',
  'alert.test_what_to_do': 'Nada: isto é um teste. Os alertas de verdade têm esta cara.',
  'alert.test_subject': '[relay] {site}: alerta de teste',
  'alert.time_other_day': '{time} de {day}',
  'alert.mail_site': 'Local',
  'alert.mail_condition': 'Condição',
  'alert.mail_since': 'Desde',
  'alert.mail_details': 'Detalhes',
  'alert.waiting_one': '{n} evento aguarda',
  'alert.waiting_other': '{n} eventos aguardam',
  'alert.events_one': '{n} evento',
  'alert.events_other': '{n} eventos',
  'alert.dead_letters_one': '{n} evento rejeitado',
  'alert.dead_letters_other': '{n} eventos rejeitados',
  'alert.token': 'token {token}',
  'alert.token_named': 'token {token} ({name})',
  'alert.pos': 'um PDV',
  'alert.pos_at': 'um PDV em {client}',
  'alert.no_answer': 'sem resposta',
  'alert.no_failures': 'nenhuma falha',
  'alert.last_error': '; último erro: {error}',
  'alert.body.invalid_json': 'não é JSON em UTF-8 (HTTP 400)',
  'alert.body.too_large': 'maior que server.max_body_bytes (HTTP 413)',
  'alert.body.body_timeout': 'lento demais para chegar dentro de server.body_timeout_seconds (HTTP 408)',

  'alert.cloud_unreachable.title': 'nuvem inacessível',
  'alert.cloud_unreachable.firing':
    'o relay não alcança a nuvem da EmiliaVision desde {since} ({lasted}{last_error}). {waiting} com segurança neste PC.',
  'alert.cloud_unreachable.resolved':
    'a nuvem da EmiliaVision voltou a responder (fora do ar desde {since}, por {lasted}); os eventos em espera saem na ordem.',
  'alert.cloud_unreachable.what_to_do':
    'Verifique a conexão de internet deste PC (e o proxy, se houver). Nada se perde: os eventos em espera saem na ordem assim que a nuvem responder.',

  'alert.oldest_pending.title': 'eventos aguardando há muito tempo',
  'alert.oldest_pending.firing':
    '{waiting} pela nuvem; o mais antigo ({token}, {env}) foi recebido às {since}, há {lasted} (alerta depois de {threshold} min).',
  'alert.oldest_pending.resolved':
    'nenhum evento aguarda mais de {threshold} min agora (a fila começou às {since}; {events} aguardando agora).',
  'alert.oldest_pending.what_to_do':
    'Abra a página de status, "Aguardando por token": ela mostra por que estão aguardando (sem internet, um token recusado, erros da nuvem). Nada se perde.',

  'alert.success_rate.title': 'taxa de entrega baixa',
  'alert.success_rate.firing':
    'só {rate} das últimas {attempts} entregas para a nuvem deram certo (alerta abaixo de {threshold}) desde {since}: {codes}.',
  'alert.success_rate.resolved':
    'as entregas voltaram a dar certo: {rate} das últimas {attempts} (estava baixa desde {since}, por {lasted}).',
  'alert.success_rate.what_to_do':
    'O relay tenta de novo sozinho e guarda todos os eventos. Se continuar, anote as respostas da nuvem na página de status e envie ao suporte da EmiliaVision.',

  'alert.token_paused.title': 'token recusado pela nuvem',
  'alert.token_paused.firing':
    'a nuvem recusa o {token} como inválido ou inativo (HTTP 401) desde {since}; os eventos dele ficam guardados e são reenviados.',
  'alert.token_paused.resolved':
    'a nuvem voltou a aceitar o {token} (recusado desde {since}, por {lasted}); os eventos guardados estão saindo.',
  'alert.token_paused.what_to_do':
    'Compare esse token no relay.toml com o que a EmiliaVision forneceu, corrija e clique em "Recarregar configuração" na página de status; ou peça à EmiliaVision para reativá-lo.',

  'alert.dead_letters.title': 'novos eventos rejeitados',
  'alert.dead_letters.firing': 'a nuvem rejeitou de vez {events} desde {since} ({dead} no armazenamento agora).',
  'alert.dead_letters.resolved':
    'os eventos rejeitados depois de {since} foram reenviados ({dead} no armazenamento agora).',
  'alert.dead_letters.what_to_do':
    'Abra "Rejeitados" na página de status: a resposta da nuvem diz o que está errado. Peça ao integrador do PDV para corrigir o conteúdo (ou fale com a EmiliaVision) e depois clique em Reenviar.',

  'alert.spool_full.title': 'armazenamento enchendo',
  'alert.spool_full.firing':
    'o armazenamento do relay está {full} cheio ({used} de {max}, alerta acima de {threshold}) desde {since}. Quando encher, o PDV recebe 503 e os eventos dele são recusados.',
  'alert.spool_full.resolved': 'o armazenamento baixou para {full} ({used} de {max}).',
  'alert.spool_full.what_to_do':
    'Restabeleça a conexão de internet para a fila esvaziar; ou diminua spool.retention_days (recarregar), ou aumente spool.max_size_mb (reiniciar).',

  'alert.payload_warnings.title': 'avisos de conteúdo',
  'alert.payload_warnings.firing':
    'eventos com avisos de conteúdo vindos do {token}: {warned} de {events} desde que o relay iniciou (o primeiro às {since}): {kinds}. A nuvem aceita, mas o painel dela pode não mostrá-los.',
  'alert.payload_warnings.resolved': 'o {token} agora envia eventos corretos: {clean} seguidos sem avisos de conteúdo.',
  'alert.payload_warnings.what_to_do':
    'Envie os avisos ao integrador do PDV: a página de status ("Eventos recentes") e `relay events show ID` trazem o texto completo.',

  'alert.spool_quarantined.title': 'armazenamento danificado e separado',
  'alert.spool_quarantined.firing':
    'o disco danificou o armazenamento do relay; às {since} o relay o separou como {file} e continuou recebendo eventos em um novo, e recoloca sozinho os eventos pendentes que dá para ler ({reason}).',
  'alert.spool_quarantined.resolved': 'o arquivo danificado {file} foi retirado; nada mais está separado.',
  'alert.spool_quarantined.what_to_do':
    'Verifique o disco do PC (SMART, chkdsk do Windows) e a energia; guarde o arquivo para o suporte da EmiliaVision e depois tire-o da pasta do armazenamento.',

  'alert.lane_stalled.title': 'entregas paradas',
  'alert.lane_stalled.firing':
    'o relay parou de enviar os eventos do {token} ({env}): nenhum foi tentado desde {since} ({lasted}), embora {waiting}. Eles estão seguros neste PC, mas não andam.',
  'alert.lane_stalled.resolved':
    'o relay voltou a enviar os eventos do {token} ({env}) (parado desde {since}, por {lasted}).',
  'alert.lane_stalled.what_to_do':
    'Reinicie o relay (o serviço dele); os eventos saem de onde pararam. Guarde o log do relay para o suporte da EmiliaVision: ele diz por que a fila parou.',

  'alert.unknown_token.title': 'token desconhecido',
  'alert.unknown_token.firing':
    '{pos} continua enviando o {token}, que não é um token ativo no relay.toml: {refused} webhooks recusados (HTTP 401) nos últimos {minutes} min, {total} desde que o relay iniciou (alerta desde {since}). Esses eventos não são guardados.',
  'alert.unknown_token.resolved':
    'nenhum webhook com o {token} há {minutes} min (recusado desde {since}, por {lasted}; {total} no total).',
  'alert.unknown_token.what_to_do':
    'Compare o token na URL de webhook do PDV com [[tokens]] no relay.toml: corrija o PDV, ou adicione o token (active = true) e clique em "Recarregar configuração" na página de status. Os eventos recusados não foram guardados; o PDV pode enviá-los de novo.',

  'alert.invalid_body.title': 'conteúdo de webhooks recusado',
  'alert.invalid_body.firing':
    '{pos} continua enviando webhooks do {token} com um conteúdo que o relay não aceita: {refused} recusados nos últimos {minutes} min ({kinds}), {total} desde que o relay iniciou (alerta desde {since}). Esses eventos não são guardados.',
  'alert.invalid_body.resolved':
    'os webhooks do {token} voltaram a ser aceitos: nenhum recusado há {minutes} min (recusados desde {since}, por {lasted}).',
  'alert.invalid_body.what_to_do':
    'Envie ao integrador do PDV a linha em "Webhooks recusados" na página de status: cada conteúdo deve ser um único valor JSON em UTF-8, de no máximo server.max_body_bytes. Os eventos recusados não foram guardados; o PDV pode enviá-los de novo.',

  'alert.admin_login_blocked.title': 'tentativa de adivinhar a senha de administrador',
  'alert.admin_login_blocked.firing':
    '{client} enviou {failures} senhas de administrador erradas; às {since} o relay o bloqueou por {minutes} min (as tentativas dele recebem 429 sem conferência). Webhooks e outros endereços não são afetados.',
  'alert.admin_login_blocked.resolved': 'o bloqueio de {client} terminou (bloqueado desde {since}, por {lasted}).',
  'alert.admin_login_blocked.what_to_do':
    'Encontre o aparelho nesse endereço: alguém pode estar tentando adivinhar a senha da página de status. Se a rede compartilhada alcança o relay, mantenha server.host em 127.0.0.1 ou coloque TLS e uma senha [admin] longa na frente; troque a senha se ela puder ser conhecida.',
  'cli.label.relay': 'relay',
  'cli.label.cloud': 'nuvem',
  'cli.label.spool': 'armazenamento',
  'cli.label.drain': 'esvaziar',
  'cli.running': 'em execução em {url} — {status}{version}',
  'cli.version': ' (versão {version})',
  'cli.health_ok': 'ok',
  'cli.health_degraded': 'com problemas',
  'cli.reachable': 'acessível{since}',
  'cli.unreachable': 'INACESSÍVEL{since}{error}',
  'cli.since': ' desde {time}',
  'cli.untried': 'ainda não testada (nada enviado desde o início)',
  'cli.last_delivery': 'última entrega: {when}',
  'cli.none_since_start': 'nenhuma desde o início',
  'cli.paused': 'token {token} PAUSADO: {reason}',
  'cli.spool_error': 'ERRO {error}',
  'cli.salvaging':
    'recolocando os eventos pendentes que dá para ler de um arquivo danificado; as entregas esperam por isso',
  'cli.not_running_at': 'parado (sem resposta em {url}: {reason})',
  'cli.not_running': 'parado ({reason})',
  'cli.cloud_unknown': 'desconhecida enquanto o relay está parado; "relay doctor" testa {url} diretamente',
  'cli.damaged': 'arquivo DANIFICADO separado em {time}: {file} ({reason})',
  'cli.damaged_hint':
    'os eventos pendentes que dá para ler são recolocados sozinhos; guarde o arquivo para o suporte e depois retire-o',
  'cli.no_events': 'nenhum evento no armazenamento',
  'cli.col.token': 'TOKEN',
  'cli.col.env': 'AMBIENTE',
  'cli.col.pending': 'AGUARDANDO',
  'cli.col.oldest': 'MAIS ANTIGO',
  'cli.col.delivered': 'ENTREGUES',
  'cli.col.dead': 'REJEITADOS',
  'cli.total': 'total',
  'cli.dead_hint': 'rejeitados: relay events list --status dead; reenvie com relay events replay ID... ou --all-dead',
  'doctor.config': '{path} é válido: {tokens} token(s), {active} ativo(s)',
  'doctor.config_none_active':
    '{path} é válido: {tokens} token(s), {active} ativo(s) (nenhum token ativo: todo POST é recusado com 401)',
  'doctor.config_invalid': 'a configuração não é válida (veja os problemas acima); corrija e rode relay doctor de novo',
  'doctor.token_format': 'token {token}: não é um UUID (36 caracteres, 4 hífens), como a nuvem emite',
  'doctor.relay_running': 'em execução em {url}: {status}',
  'doctor.relay_running_degraded': 'em execução em {url}: {status} (veja relay status)',
  'doctor.relay_stopped': 'parado{at} ({reason}); o PDV não recebe resposta até ele rodar',
  'doctor.relay_at': ' em {url}',
  'doctor.token_inactive': 'token {token}: inativo na configuração, não testado',
  'doctor.token_untested': 'token {token}: não testado, a nuvem está inacessível{route}',
  'doctor.token_result': 'token {token}: {result}',
  'doctor.request_failed': 'a solicitação falhou: {error}',
  'doctor.not_sent': 'não enviado à nuvem: {why}',
  'doctor.token_refused':
    'token inválido ou inativo (a nuvem respondeu 401); peça à EmiliaVision (team@emiliavision.com) para verificá-lo',
  'doctor.unexpected': 'resposta inesperada {status}: {body}',
  'doctor.accepted': 'aceito pela nuvem (diagnostic_test com ?env=dev{event_id}, {ms} ms)',
  'doctor.clock_year': 'o relógio do PC marca {local}: acerte a data e a hora (ative o NTP)',
  'doctor.clock_no_date': '{local}; não comparado: a nuvem não enviou o cabeçalho Date',
  'doctor.clock_ahead':
    'o relógio do PC está {secs} s adiantado em relação ao da nuvem: acerte a hora (ative o NTP); os horários que o PDV envia também podem estar errados',
  'doctor.clock_behind':
    'o relógio do PC está {secs} s atrasado em relação ao da nuvem: acerte a hora (ative o NTP); os horários que o PDV envia também podem estar errados',
  'doctor.clock_ok': '{local}, a até {secs} s do relógio da nuvem',
  'doctor.cloud_unreachable': 'não foi possível alcançar {url}: {error} ({hint})',
  'doctor.hint_proxy': 'verifique o proxy e o acesso dele à internet',
  'doctor.hint_direct': 'verifique a conexão de internet, o firewall e o proxy',
  'doctor.cloud_slow': '{url} respondeu 200, mas devagar: {ms} ms{route}',
  'doctor.cloud_ok': '{url} respondeu 200 em {ms} ms{route}',
  'doctor.failed_one':
    '{n} verificação falhou{warnings}. Se a nuvem continuar recusando, escreva para team@emiliavision.com com os 8 primeiros caracteres do token.',
  'doctor.failed_other':
    '{n} verificações falharam{warnings}. Se a nuvem continuar recusando, escreva para team@emiliavision.com com os 8 primeiros caracteres do token.',
  'doctor.warnings': ', {n} aviso(s)',
  'doctor.all_passed': 'todas as verificações passaram',
  'doctor.all_passed_warned': 'todas as verificações passaram ({n} aviso(s))',
  'doctor.spool_memory': 'spool.path é :memory:: os eventos se perdem quando o relay para',
  'doctor.spool_dir_creatable': '{dir} ainda não existe; o relay cria essa pasta ao iniciar ({parent} aceita gravação)',
  'doctor.spool_dir_blocked': '{dir} não existe e {parent} não aceita gravação ({error})',
  'doctor.spool_unwritable': 'não é possível gravar em {dir}: {error}',
  'doctor.spool_new': '{path} ainda não existe; {dir} aceita gravação',
  'doctor.spool_summary': '{pending} aguardando, {delivered} entregues, {dead} rejeitados; {used} de {max}',
  'doctor.spool_nearly_full':
    '{path} aceita gravação, mas está {pct}% cheio ({summary}); o relay responde 503 quando ele enche',
  'doctor.spool_ok': '{path} aceita gravação ({summary})',
  'doctor.spool_quarantined':
    'o armazenamento estava danificado e foi separado em {at}: {file} ({reason}); os eventos que dava para ler foram recuperados (relay spool salvage "{file}" faz isso de novo). Verifique o disco, guarde o arquivo para o suporte e depois retire-o',
  'doctor.dead_letters':
    '{n} evento(s) recusado(s) pela nuvem: relay events list --status dead, depois relay events replay',
  'doctor.disk_none': 'sem arquivo de armazenamento',
  'doctor.disk_full': 'só {free} livres em {dir}: o armazenamento não tem como crescer',
  'doctor.disk_short': '{free} livres em {dir}, menos que spool.max_size_mb ({budget}): o disco enche antes da cota',
  'doctor.disk_ok': '{free} livres em {dir} (cota do armazenamento {budget})',
  'doctor.disk_unknown': 'não foi possível ler o espaço livre de {dir}: {error}',
  'doctor.files_windows': 'não verificado no Windows (as permissões das pastas decidem)',
  'doctor.files_ok': 'a configuração, o armazenamento e o log só podem ser lidos pelo dono',
  'doctor.files_exposed':
    'outras contas deste PC podem ler: {files}; eles guardam tokens completos e o conteúdo dos pedidos: chmod 600 em cada um (relay serve cria os novos só para o dono)',
  'refusal.unknown_token': '{pos} está enviando um {token} desconhecido ou inativo',
  'refusal.invalid_json': '{pos} está enviando conteúdos que não são JSON em UTF-8 ({token})',
  'refusal.too_large': '{pos} está enviando conteúdos maiores que server.max_body_bytes ({token})',
  'refusal.body_timeout':
    '{pos} está enviando conteúdos devagar demais: não chegaram dentro de server.body_timeout_seconds ({token})',
  'refusal.compressed_body':
    '{pos} está enviando conteúdos comprimidos (Content-Encoding), que a nuvem não lê ({token})',
  'refusal.mislabelled_encoding':
    '{pos} está enviando conteúdos marcados como Content-Encoding gzip ou deflate que não estão comprimidos ({token})',
  'refusal.rate_limited': '{pos} está enviando mais rápido do que limits.rate_per_token permite ({token})',
  'refusal.spool_full': 'Os eventos do {token} são recusados: o armazenamento está cheio (spool.max_size_mb)',
  'refusal.uploads_busy':
    'Os eventos do {token} são recusados: já havia server.max_uploads conteúdos chegando (conexão lenta ou enxurrada)',
  'refusal.spool_failing': 'Os eventos do {token} são recusados: o armazenamento não consegue guardá-los',
  'refusal.bad_request':
    '{pos} está enviando solicitações que o relay não consegue ler, um env inválido ou HTTP malformado ({token})',
  'refusal.not_found': '{pos} está enviando para um endereço de webhook sem token ou com partes a mais ({token})',
  'refusal.internal_error': 'Os eventos do {token} são recusados por um erro dentro do relay',
  'refusal.token': 'token {token}',
  'refusal.token_named': 'token {token} "{name}"',
  'refusal.token_other': 'token (um entre muitos outros)',
  'refusal.no_token': 'sem token',
  'refusal.pos': 'Um PDV',
  'refusal.pos_at': 'Um PDV em {client}',
  'refusal.once': 'uma vez',
  'refusal.times': '{n} vezes',
  'refusal.line': '{what}: {times} desde {time}',
  'refusal.more': '… e mais {n} tipos de webhooks recusados: veja "Webhooks recusados" abaixo.',
  'refusals.heading': 'Webhooks recusados desde o início',
  'refusals.hint':
    'O PDV recebe como resposta a situação e um {detail}; aqui ele não é avisado de novo. As contagens também estão em /metrics como {metric}.',
  'refusals.none': 'Nenhum webhook recusado desde o início.',
  'col.http_status': 'Situação',
  'col.last': 'Último',
  'warning.not_an_object':
    'O conteúdo não é um único objeto JSON, então não tem os campos event, timestamp nem table_number.',
  'warning.missing_event':
    'Sem tipo de evento: a nuvem não consegue distinguir um pedido de um pagamento (guia básico, "Include event type").',
  'warning.missing_table_number':
    'Sem table_number: a falha silenciosa mais comum (guia v2.0, "Missing Critical Fields"); a v1.0 o chamava de table.',
  'warning.missing_timestamp': 'Sem timestamp, session_start nem session_end: não dá para situar o evento no tempo.',
  'warning.timestamp_without_timezone':
    'Um horário sem Z nem deslocamento ±hh:mm é lido no fuso errado (guia v2.0, "Incorrect Timestamps").',
  'warning.timestamp_not_iso8601':
    'Um horário que não é uma data e hora ISO 8601 com fuso (guia básico, "Include timestamps").',
  'warning.items_without_timestamp': 'Itens sem timestamp: o painel não sabe quando cada um foi pedido (guia v2.0).',
  'warning.items_without_employee_id': 'Itens sem employee_id: o painel não sabe quem anotou o pedido (guia v2.0).',
  'warning.timestamp_wrong_timezone':
    'Um horário cujo deslocamento não é o do local naquele instante (UTC vindo de um PDV de São Paulo, -05:00 no verão de Nova York): o painel registra o evento na hora errada (guia v2.0, "Using wrong timezone").',
  'warning.timestamp_in_future':
    'Um horário mais de warnings.clock_ahead_minutes à frente do relógio do relay: o relógio do PDV provavelmente está errado, e os eventos dele ficam fora de ordem.',
  'warning.relay_clock_off':
    'Um horário à frente do relógio do relay enquanto o próprio relógio deste PC está errado em relação ao cabeçalho Date da nuvem: acerte a hora deste PC (NTP), não a do PDV.',
  'warning.table_number_inconsistent':
    'Um table_number em outro padrão de nome do que este PDV costuma enviar ("Table 12" no meio de "Mesa 8"): o painel enxerga duas mesas (guia v2.0, "Use Consistent Identifiers").',
  'warning.utf8_bom':
    'O conteúdo começou com uma marca de ordem de bytes UTF-8 (o StreamWriter do .NET com Encoding.UTF8 escreve uma): quem envia JSON não deve incluí-la (RFC 8259 §8.1) e um leitor da nuvem pode recusar o evento, então o relay guardou e encaminhou o JSON que vem depois dela.',
  'warning.test_data_in_prod':
    'Dados de teste (um connection_test, "Test Table", "test": true) enviados para produção: eles caem no meio dos pedidos reais; testes vão para ?env=dev (guia v2.0, "Wrong Environment").',
};
