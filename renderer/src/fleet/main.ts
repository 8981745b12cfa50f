/**
 * The fleet dashboard's entry (renderer/fleet.html, served by `tandem-node monitor` at `/`): the token from
 * the `#token=` link or this tab's storage, the fleet state, the app. Same origin as the monitor's API.
 */
import '../lib/zod-config.ts';
import { mount } from 'svelte';
import '../app.css';
import { takeToken } from '../lib/session.ts';
import FleetApp from './FleetApp.svelte';
import { FleetState, fleetTransport } from './fleet-state.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('fleet.html has no #app element');

const token = takeToken(window, '');
const fleet = token ? new FleetState(fleetTransport(window.location.origin, token), token) : null;
fleet?.start();
mount(FleetApp, { target, props: { fleet } });
window.addEventListener('pagehide', () => fleet?.stop());
window.addEventListener('pageshow', (event) => {
  if (event.persisted) fleet?.start();
});
