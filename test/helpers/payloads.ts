/** Payloads the tests send, byte for byte. */

/** The guide's "Order Created" example, byte for byte as a POS would send it (19.00 stays 19.00). */
export const ORDER_CREATED = `{
"event": "order_created",
"timestamp": "2025-11-24T18:30:00-03:00",
"order_id": "ORD-2025-0124",
"table": "Mesa 8",
"server": "João Silva",
"items": [
{
"id": "ITEM-001",
"name": "Focaccia",
"quantity": 1,
"price": 19.00
},
{
"id": "ITEM-002",
"name": "Agua com Gas",
"quantity": 2,
"price": 11.00
}
],
"subtotal": 41.00,
"tax": 4.10,
"total": 45.10
}`;

/** The guide v2.0 "Correct" session payload: nothing to warn about. */
export const CLEAN = {
  event: 'session_complete',
  order_id: 'ORD-123',
  table_number: 'Mesa 8',
  timestamp: '2025-11-24T12:00:00-03:00',
  items: [{ timestamp: '2025-11-24T18:35:00-03:00', employee_id: 72, name: 'Pasta', price: 85.0 }],
};
