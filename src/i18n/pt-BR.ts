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
  'attention.lane_waited': '{n} evento(s) do {token} ({env}) aguardam há até {d}: {why}',
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
};
