/**
 * Moved to test/support/temp-database.ts (test helpers stay out of production folders). This re-export
 * remains only for the two specs that other changes own at the moment (data/alarms.spec.ts,
 * plant/opcua/client-approvals.spec.ts); once they import the new place, delete this file.
 */
export { tempDatabase } from '../../test/support/temp-database.ts';
