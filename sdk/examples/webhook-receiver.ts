// A webhook receiver with @clutch/sdk: verifies each delivery's signature on the raw body, drops a
// delivery it has already handled (Clutch-Delivery-Id is the same on every attempt and redelivery),
// and answers 2xx quickly (slow answers are retried). Subscribe it with
//   curl -X POST localhost:8080/v1/webhooks -H 'content-type: application/json' \
//     -d '{"url":"http://127.0.0.1:9000/hooks/clutch","events":["match.started","round.ended","match.ended"]}'
// and start it with the secret that answer showed once:
//   CLUTCH_WEBHOOK_SECRET=whsec_… node sdk/examples/webhook-receiver.ts
import { createServer } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '@clutch/sdk';

const secret = process.env.CLUTCH_WEBHOOK_SECRET;
if (!secret) throw new Error('set CLUTCH_WEBHOOK_SECRET to the secret shown when the webhook was created');
const handled = new Set<string>(); // use your database in production

createServer((req, res) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > 1024 * 1024) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    try {
      const event = verifyWebhook({ body: Buffer.concat(chunks), signatureHeader: req.headers['clutch-signature'] as string | undefined, secret });
      const delivery = String(req.headers['clutch-delivery-id'] ?? event.id);
      if (!handled.has(delivery)) {
        handled.add(delivery);
        console.log(`${event.type} ${JSON.stringify(event.data).slice(0, 160)}`);
      }
      res.writeHead(204).end();
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      console.error(`refused: ${err.code}`);
      res.writeHead(400).end(err.code);
    }
  });
}).listen(Number(process.env.PORT ?? 9000), '127.0.0.1');
