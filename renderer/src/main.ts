/**
 * The dashboard's entry: takes the token from the URL fragment, builds the one API client and the state,
 * and mounts the app. Served by node-core (same origin) or loaded in the Electron window.
 */
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { ApiClient } from './lib/api-client.ts';
import { DashboardState } from './lib/dashboard-state.svelte.ts';
import { Router } from './lib/router.svelte.ts';
import { takeToken } from './lib/session.ts';

const token = takeToken(window);
const router = new Router();
router.start(window);

const dashboard = token
  ? new DashboardState(new ApiClient({ baseUrl: window.location.origin, token }))
  : null;
dashboard?.start();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { dashboard, router } });

window.addEventListener('pagehide', () => {
  dashboard?.stop();
  router.stop();
});

window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  router.start(window);
  dashboard?.start();
});
