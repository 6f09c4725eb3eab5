// The server-rendered paywall page (paywall-page.ts) still imports token units from here; the functions are
// @microraiden/protocol's. Point that import at the protocol and delete this file.
export { formatTokenAmountWithBase as formatAmountWithBase, type TokenUnits } from '@microraiden/protocol';
