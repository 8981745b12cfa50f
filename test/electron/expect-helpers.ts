/** A dashboard frame on the default API address, before any node has taken it. */
export const DASHBOARD_NOT_READY = { url: 'http://127.0.0.1:8088/' };
