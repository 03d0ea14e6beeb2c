/** What the process tests share: a bank application in memory with open, funded accounts. */
import { BankAccount } from '../../machines/bank-account.js';
import { Application } from '../../src/application/application.js';

/** An application named `bank` (memory persistence) with the given accounts open and funded. */
export async function openBank(
  balances: Readonly<Record<string, number>> = { alice: 100, bob: 50 },
): Promise<Application> {
  const app = new Application({ name: 'bank', env: { PERSISTENCE_MODULE: 'memory' } });
  for (const [id, amount] of Object.entries(balances)) {
    const account = await app.repository.create(BankAccount, id);
    await account.execute({ type: 'open', owner: id });
    await account.execute({ type: 'deposit', amount });
  }
  return app;
}
