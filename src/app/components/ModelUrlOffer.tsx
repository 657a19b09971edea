import { canAct, setStudio, useStudio } from '../store';
import { importModelUrl } from '../studioActions';

/** A `?model=` link to another site: nothing is fetched from it until the user says yes. */
export function ModelUrlOffer() {
  const url = useStudio((s) => s.modelUrlOffer);
  const free = useStudio(canAct);
  if (!url) return null;
  let origin = url;
  try {
    origin = new URL(url, location.href).origin;
  } catch {
    // shown as given
  }
  return (
    <section className="restore-offer" aria-label="Open a model from another site" data-testid="model-url-offer" data-url={url}>
      <p>
        This link opens a model from <strong>{origin}</strong>. Fetch it? The studio sends that site one request per
        file and nothing else; the model stays in this tab.
        <br /><span className="muted small">{url}</span>
      </p>
      <button type="button" className="button primary" data-testid="model-url-open" disabled={!free}
        onClick={() => { setStudio({ modelUrlOffer: null }); void importModelUrl(url); }}>
        Fetch and open
      </button>
      <button type="button" className="button" data-testid="model-url-dismiss" onClick={() => setStudio({ modelUrlOffer: null })}>
        Keep the demo
      </button>
    </section>
  );
}
