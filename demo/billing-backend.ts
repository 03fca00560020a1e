import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type * as Soap from 'soap';
import { CallCounter } from './call-counter';

export const BILLING_WSDL = resolve(__dirname, '../sources/billing/billing.wsdl');

export interface BillingBackendOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** How an operation misbehaves until cleared. */
export type BillingFault =
  'malformed-xml' | 'not-xml' | 'http-500-html' | 'soap11-fault-500' | 'soap12-fault-500' | 'hang';

export interface BillingBackend {
  /** The service URL (…/billing). */
  readonly url: string;
  readonly port: number;
  readonly calls: CallCounter;
  readonly lastHeaders: Map<string, IncomingMessage['headers']>;
  /** Raw request envelopes per operation (tests check namespaces and WS-Security). */
  readonly lastEnvelopes: Map<string, string>;
  readonly faults: Map<string, BillingFault>;
  close(): Promise<void>;
}

interface Invoice {
  invoiceId: string;
  orderId: string;
  amount: string;
  currency: string;
  issuedOn: string;
  dueAt: string;
  status: 'OPEN' | 'PAID' | 'OVERDUE';
  paid: boolean;
  sequence: string;
  lines: Array<{ description: string; quantity: number; unitPrice: string }>;
  note?: string | null;
}

function createInvoices(count = 30): Invoice[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const status = (['OPEN', 'PAID', 'OVERDUE'] as const)[index % 3];
    return {
      invoiceId: `inv-${n}`,
      orderId: `o${n}`,
      amount: `${n * 10}.${String(n % 100).padStart(2, '0')}`,
      currency: 'EUR',
      issuedOn: `2026-01-${String((index % 28) + 1).padStart(2, '0')}`,
      dueAt: `2026-02-${String((index % 28) + 1).padStart(2, '0')}T12:00:00.000Z`,
      status,
      paid: status === 'PAID',
      sequence: String(9007199254740993n + BigInt(n)),
      lines: [{ description: `Items of order o${n}`, quantity: (index % 3) + 1, unitPrice: '9.99' }],
      ...(index % 5 === 0 ? { note: `note ${n}` } : {}),
    };
  });
}

const SOAP11_FAULT =
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
  '<faultcode>soap:Server</faultcode><faultstring>Ledger is locked</faultstring><detail><retryAfter>30</retryAfter></detail></soap:Fault></soap:Body></soap:Envelope>';
const SOAP12_FAULT =
  '<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
  '<env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>billing:Locked</env:Value></env:Subcode></env:Code>' +
  '<env:Reason><env:Text xml:lang="en">Ledger is locked</env:Text></env:Reason><env:Detail><retryAfter>30</retryAfter></env:Detail></env:Fault></env:Body></env:Envelope>';

/** Builds an invoice element body in the order the WSDL sequence requires, with the version attribute. */
const asXmlObject = (invoice: Invoice) => ({ attributes: { version: '2' }, ...invoice });

/** An http.Server node-soap answers on, once the WSDL is parsed (node-soap is loaded here, on first use). */
function listenSoap(services: Soap.IServices): Promise<Server> {
  return new Promise<Server>((done, fail) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const soap = require('soap') as typeof Soap;
    const server = createServer();
    soap.listen(server, {
      path: '/billing',
      services,
      xml: readFileSync(BILLING_WSDL, 'utf8'),
      callback: (error: unknown) => (error ? fail(error as Error) : done(server)),
    });
  });
}

/** The demo shop's SOAP billing service on `soap`'s server, described by sources/billing/billing.wsdl. */
export async function startBillingBackend({
  port = 0,
  host = '127.0.0.1',
}: BillingBackendOptions = {}): Promise<BillingBackend> {
  const invoices = createInvoices();
  const calls = new CallCounter();
  const faults = new Map<string, BillingFault>();
  const lastHeaders = new Map<string, IncomingMessage['headers']>();
  const lastEnvelopes = new Map<string, string>();
  const unknownInvoice = (what: string) => ({
    Fault: {
      faultcode: 'soap:Client',
      faultstring: `Unknown invoice for ${what}`,
      detail: { code: 'INVOICE_NOT_FOUND', reference: what },
    },
    statusCode: 500,
  });

  const services = {
    BillingService: {
      BillingPort: {
        GetInvoice: ({ orderId }: { orderId: string }) => {
          const invoice = invoices.find((candidate) => candidate.orderId === orderId);
          if (!invoice) throw unknownInvoice(`order ${orderId}`);
          return { invoice: asXmlObject(invoice) };
        },
        ListInvoices: ({ status }: { status?: string }) => ({
          invoice: invoices.filter((invoice) => !status || invoice.status === status).map(asXmlObject),
        }),
        PayInvoice: ({ invoiceId, amount, paidAt }: { invoiceId: string; amount: string; paidAt: string }) => {
          const invoice = invoices.find((candidate) => candidate.invoiceId === invoiceId);
          if (!invoice) throw unknownInvoice(`id ${invoiceId}`);
          invoice.status = 'PAID';
          invoice.paid = true;
          return {
            receipt: {
              receiptId: `rcpt-${invoiceId}`,
              invoiceId,
              amount: String(amount),
              paidAt: new Date(paidAt).toISOString(),
              status: 'PAID',
            },
          };
        },
      },
    },
  };

  // node-soap handles the protocol on an http.Server of its own; ours in
  // front counts calls, records what arrived and plays faults. node-soap (and
  // its WSDL parse) loads on the first request, not at start-up: `loom serve
  // --demo` gets ready without it (see the README's cold start).
  let soapServer: Server | undefined;
  let soapLoading: Promise<Server> | undefined;
  const loadSoapServer = () => (soapLoading ??= listenSoap(services).then((ready) => (soapServer = ready)));
  const handle = (req: IncomingMessage, res: ServerResponse, soapServer: Server) => {
    const action =
      String(req.headers.soapaction ?? '')
        .replace(/"/g, '')
        .split('/')
        .pop() ?? '';
    if (req.method === 'POST' && action) {
      calls.record(action);
      lastHeaders.set(action, req.headers);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => lastEnvelopes.set(action, Buffer.concat(chunks).toString('utf8')));
      const fault = faults.get(action);
      if (fault === 'hang') return;
      if (fault === 'malformed-xml')
        return void res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end('<soap:Envelope><soap:Body><broken></soap:Body>');
      if (fault === 'not-xml')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"this":"is not xml"}');
      if (fault === 'soap11-fault-500')
        return void res.writeHead(500, { 'content-type': 'text/xml' }).end(SOAP11_FAULT);
      if (fault === 'soap12-fault-500')
        return void res.writeHead(500, { 'content-type': 'application/soap+xml' }).end(SOAP12_FAULT);
      if (fault === 'http-500-html')
        return void res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal error</body>');
    }
    soapServer.emit('request', req, res);
  };
  const server: Server = createServer((req, res) => {
    if (soapServer) return handle(req, res, soapServer);
    // First request: nothing reads `req` until node-soap is ready, so its body waits in the stream.
    loadSoapServer().then(
      (ready) => handle(req, res, ready),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`billing backend: ${error.message}`),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, done);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}/billing`,
    port: bound,
    calls,
    lastHeaders,
    lastEnvelopes,
    faults,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
