import { defineBff } from '../src/bff/define-bff';
import { useAuth } from '../src/plugins/auth/use-auth';
import { useHttpHardening } from '../src/plugins/http/use-http-hardening';
import { useQueryLimits } from '../src/plugins/limits/use-query-limits';
import { useCostLimit } from '../src/plugins/use-cost-limit';
import { useAutomaticPersistedQueries } from '../src/plugins/apq/use-automatic-persisted-queries';
import { useRateLimit } from '../src/plugins/rate-limit/use-rate-limit';
import { useResponseCache } from '../src/plugins/cache/use-response-cache';
import { DEMO_WRITE_SCOPE, demoJwtOptions } from '../demo/demo-auth';

/**
 * Bounded lists are bounded: a list's size argument must have a value (the
 * client's or the default, never null) no larger than 100. Shared by the cost
 * limit and the rate limiter, so both price a request once, the same way.
 */
const boundedLists = { requireListSize: true, maxListSize: 100 };

/**
 * The mobile app: a trimmed view of the graph, as an allow-list. It serves
 * only the coordinates listed here, so a source registered later (and a new
 * link on a listed type) stays off mobile until someone lists its fields:
 * no admin mutations, no internal fields, no list that can return a whole
 * collection, and introspection off in production (the config's
 * `production`, i.e. NODE_ENV=production). Enums, scalars and input types
 * follow the fields that use them.
 */
export default defineBff({
  description: 'Mobile app: trimmed graph',
  // @defer/@stream over multipart HTTP and SSE (README "@defer and @stream").
  deferStream: true,
  view: {
    allowList: true,
    include: [
      'Query.{getCustomer,getInvoice,getOrder,getProduct,listOrders,listProducts}',
      'Mutation.{createOrder,payInvoice,ping}',
      'Subscription.watchOrders',
      // catalog
      'Customer.{email,id,name,tier}',
      'Product.{currency,delivery,id,name,price,promotion,tags}',
      'DigitalDelivery.{downloadUrl,type}',
      'PhysicalDelivery.{type,weightGrams}',
      'AmountOff.amountOff',
      'PercentOff.percentOff',
      // orders
      'Order.{attributes,billing,card,createdAt,customer,customerId,deliveryWindow,discount,id,invoice,metadata}',
      'Order.{paymentCase,productIds,products,signature,status,totalCents}',
      'Order_AttributesEntry.{key,value}',
      'OrderEvent.{at,orderId,status}',
      'CardPayment.{brand,last4}',
      'InvoicePayment.{dueInDays,invoiceId}',
      'Pong.message',
      // billing
      'Invoice.{amount,currency,dueAt,invoiceId,issuedOn,lines,orderId,paid,sequence,status,version}',
      'InvoiceLine.{description,quantity,unitPrice}',
      'PaymentReceipt.{amount,invoiceId,paidAt,receiptId,status}',
    ],
    // Root lists without a limit/first argument (e.g. listCustomers) stay hidden even if listed.
    listBoundArguments: ['limit', 'first', 'pageSize'],
    // Small screens: a shorter page unless the app asks for more.
    argumentDefaults: { 'Query.listProducts.limit': 10 },
  },
  policies: [
    // A native app: no cookies, so no CSRF header; no browser, so no CORS origins.
    (context) =>
      useHttpHardening({
        csrf: false,
        cors: { origins: [] },
        bodyLimit: { maxBytes: 50_000 },
        safeErrors: { production: context.production },
      }),
    // Apollo APQ: clients send a hash, and the document once per instance set (shared through Redis when configured).
    useAutomaticPersistedQueries(),
    (context) =>
      useQueryLimits({
        maxDepth: 8,
        maxAliases: 10,
        maxDirectives: 20,
        maxTokens: 1000,
        maxBatchSize: 5,
        blockFieldSuggestions: context.production,
      }),
    useCostLimit({ maxCost: 2000, ...boundedLists }),
    // Anyone may read; writes need a shop:write token from the demo issuer (README: Try it with a token).
    // Before the rate limit: it keys on the identity this sets, and a refused write spends no budget.
    useAuth({ mode: 'optional', jwt: demoJwtOptions(), operationScopes: { mutation: [DEMO_WRITE_SCOPE] } }),
    useRateLimit({
      cost: boundedLists,
      rules: [
        { by: 'user', budget: 10_000, budgetByPlan: { pro: 50_000 } },
        { by: 'ip', budget: 20_000 },
      ],
    }),
    useResponseCache({ ttlMs: 30_000, ttlPerType: { Product: 60_000 }, privateScope: ['Customer'] }),
  ],
});
