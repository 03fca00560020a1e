export interface Customer {
  id: string;
  name: string;
  email: string;
  tier: 'standard' | 'gold' | 'platinum';
  note: string | null;
}

export interface Product {
  id: string;
  name: string;
  price: number;
  currency: 'EUR' | 'USD';
  tags: string[];
  delivery?: { type: 'physical'; weightGrams: number } | { type: 'digital'; downloadUrl: string };
  promotion?: { percentOff: number } | { amountOff: number };
}

const TIERS: Customer['tier'][] = ['standard', 'gold', 'platinum'];

export function createCustomers(count = 50): Customer[] {
  return Array.from({ length: count }, (_, index) => {
    const id = String(index + 1);
    return {
      id,
      name: `Customer ${id}`,
      email: `customer${id}@example.test`,
      tier: TIERS[index % 3],
      note: index % 5 === 0 ? 'vip' : null,
    };
  });
}

export function createProducts(count = 30): Product[] {
  return Array.from({ length: count }, (_, index) => {
    const id = `p${index + 1}`;
    const physical = index % 2 === 0;
    return {
      id,
      name: `Product ${index + 1}`,
      price: Math.round((index + 1) * 9.99 * 100) / 100,
      currency: index % 4 === 0 ? 'USD' : 'EUR',
      tags: physical ? ['physical'] : ['digital', 'instant'],
      delivery: physical
        ? { type: 'physical', weightGrams: 100 * (index + 1) }
        : { type: 'digital', downloadUrl: `https://downloads.example.test/${id}` },
      ...(index % 3 === 0
        ? { promotion: { percentOff: 10 } }
        : index % 3 === 1
          ? { promotion: { amountOff: 2.5 } }
          : {}),
    };
  });
}
