/**
 * Runs in the browser: the first-run page (tandem://first-run), sandboxed, with only `window.tandem` from the
 * preload. A classic script (no import or export: the page loads it without modules), so the types it needs
 * come in as `import()` types, which erase.
 */
type Bridge = import('../shared/bridge.ts').TandemBridge;
type Answers = import('../shared/bridge.ts').FirstRunAnswers;
type Mode = Answers['mode'];

const tandem = (window as unknown as { tandem: Bridge }).tandem;
const form = document.querySelector<HTMLFormElement>('#setup')!;
const submitButton = document.querySelector<HTMLButtonElement>('#submit')!;
const formError = document.querySelector<HTMLElement>('#form-error')!;

function input(name: string): HTMLInputElement {
  return form.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
}

function currentMode(): Mode {
  const checked = form.querySelector<HTMLInputElement>('input[name="mode"]:checked');
  return (checked?.value ?? 'independent') as Mode;
}

/** An empty number field becomes NaN, which main rejects as "must be a number" naming the field. */
function numberOf(name: string): number {
  const text = input(name).value.trim();
  return text === '' ? Number.NaN : Number(text);
}

function answers(): Answers {
  const mode = currentMode();
  const name = input('name').value;
  const apiPort = numberOf('apiPort');
  switch (mode) {
    case 'independent':
      return { mode, name, apiPort };
    case 'master':
      return { mode, name, apiPort, peerPort: numberOf('peerPort') };
    case 'backup':
      return {
        mode,
        name,
        apiPort,
        masterHost: input('masterHost').value,
        masterPort: numberOf('masterPort'),
      };
    case 'monitor':
      return { mode, configFile: input('configFile').value };
  }
}

function showErrors(message: string, fields: Readonly<Record<string, string>>): void {
  for (const element of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const field = element.dataset['errorFor'] ?? '';
    element.textContent = fields[field] ?? '';
    form.querySelector(`input[name="${field}"]`)?.setAttribute('aria-invalid', String(field in fields));
  }
  const unplaced = Object.keys(fields).some((field) => !form.querySelector(`[data-error-for="${field}"]`));
  formError.textContent = Object.keys(fields).length === 0 || unplaced ? message : '';
}

function syncMode(): void {
  form.dataset['mode'] = currentMode();
}

async function init(): Promise<void> {
  const defaults = await tandem.getFirstRunDefaults();
  input('name').value = defaults.name;
  input('apiPort').value = String(defaults.apiPort);
  input('peerPort').value = String(defaults.peerPort);
  input('masterPort').value = String(defaults.masterPort);
  syncMode();
  form.addEventListener('change', syncMode);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  document.querySelector('#open-dashboard')!.addEventListener('click', () => {
    tandem.openDashboard().catch((error: unknown) => {
      formError.textContent = String(error);
    });
  });
}

function showStarted(started: import('../shared/bridge.ts').FirstRunStarted): void {
  const summary = document.querySelector('#started-summary')!;
  if (started.mode === 'monitor') {
    document.querySelector('#started-title')!.textContent = 'The monitor is watching';
    summary.textContent = `This PC watches ${started.pairs} pair${started.pairs === 1 ? '' : 's'}; the tray shows the worst state of them all.`;
    document.querySelector<HTMLElement>('#fingerprint-part')!.hidden = true;
    document.querySelector('#open-dashboard')!.textContent = 'Open the fleet dashboard';
  } else {
    summary.textContent = `${started.name}: this PC runs as ${started.mode}; its dashboard is at ${started.apiUrl}.`;
    document.querySelector('#fingerprint')!.textContent = started.fingerprint;
  }
  document.querySelector<HTMLElement>('#started')!.hidden = false;
}

async function submit(): Promise<void> {
  submitButton.disabled = true;
  formError.textContent = '';
  try {
    const result = await tandem.submitFirstRun(answers());
    if (!result.ok) {
      showErrors(result.error.message, result.error.fields ?? {});
      return;
    }
    form.hidden = true;
    showStarted(result.value);
  } catch (error) {
    formError.textContent = String(error);
  } finally {
    submitButton.disabled = false;
  }
}

init().catch((error: unknown) => {
  formError.textContent = `Tandem could not prepare this page: ${String(error)}`;
});
