import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import './layerDetail.css';

const TIP_WIDTH = 280;

/**
 * A small "?" button that explains the thing next to it. The text shows on hover, on keyboard focus
 * and on tap, hides on Escape, blur or scroll, and is the button's accessible description.
 * It is positioned fixed, so it is never clipped by a scrolling table or panel.
 *   <Tip label="About sparsity">Zero weights / all weights…</Tip>
 */
export function Tip({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const show = () => {
    const r = button.current?.getBoundingClientRect();
    if (!r) return;
    const left = Math.min(Math.max(8, r.left + r.width / 2 - TIP_WIDTH / 2), window.innerWidth - TIP_WIDTH - 8);
    setPlace({ top: r.bottom + 6, left });
  };
  const hide = () => setPlace(null);
  useEffect(() => {
    if (!place) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') hide();
    };
    // Fixed to the viewport: anything that scrolls would leave it behind, so it closes instead.
    document.addEventListener('keydown', onKey);
    window.addEventListener('scroll', hide, true);
    return () => {
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('scroll', hide, true);
    };
  }, [place]);
  return (
    <span className="tip" onMouseEnter={show} onMouseLeave={hide}>
      <button ref={button} type="button" className="tip-button" aria-label={label} aria-describedby={id}
        onFocus={show} onBlur={hide} onClick={show}>?</button>
      <span role="tooltip" id={id} className="tip-text" hidden={!place} style={place ? { ...place, width: TIP_WIDTH } : undefined}>
        {children}
      </span>
    </span>
  );
}

/**
 * The header's Help button and its dialog: a glossary and answers to common problems. A native modal
 * <dialog>: focus stays inside while open, Escape closes it, focus returns to the button. "?" opens
 * it from anywhere outside a text field.
 */
export function HelpButton() {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const open = () => {
    if (!dialog.current?.open) dialog.current?.showModal();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || target?.matches('input[type="text"], input[type="number"], input[type="url"], textarea, select')) return;
      e.preventDefault();
      open();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <button type="button" className="small-button help-open" data-testid="help-open" aria-haspopup="dialog"
        aria-keyshortcuts="?" title="Help (?)" onClick={open}>
        <span aria-hidden="true" className="help-mark">?</span> Help
      </button>
      {/* A click on the backdrop lands on the <dialog> itself (the content fills it): close. */}
      <dialog ref={dialog} className="help-dialog" data-testid="help" aria-labelledby={titleId}
        onClick={(e) => e.target === dialog.current && dialog.current.close()}>
        <div className="help-body">
          <div className="help-head">
            <h2 id={titleId}>Help</h2>
            <button type="button" className="small-button" data-testid="help-close" onClick={() => dialog.current?.close()}>
              Close <span className="muted">(Esc)</span>
            </button>
          </div>
          <HelpText />
        </div>
      </dialog>
    </>
  );
}

function HelpText() {
  return (
    <>
      <p className="muted">
        Secateur prunes a TensorFlow.js model in this tab: the model and the data never leave your device.
        Open a layer's weights with the ▸ button in the table; every <span className="help-mark inline">?</span> explains the figure next to it.
      </p>
      <h3>Glossary</h3>
      <dl className="glossary">
        <dt>Sparsity</dt>
        <dd>
          The share of weights that are exactly 0. In the layer table it is zeros / all weights of the layer; the pruning
          target counts prunable weights only (the kernels: biases and BatchNorm parameters stay dense). 50% sparsity
          means half of the kernel weights are 0.
        </dd>
        <dt>Unstructured, N:M and channels</dt>
        <dd>
          <strong>Unstructured</strong> zeroes single weights anywhere: the least accuracy lost per weight removed, but
          every tensor keeps its shape. <strong>N:M</strong> (2:4, 4:8) keeps the N largest of every M neighbouring
          weights along the input dimension: always 50%, the pattern sparse GPU tensor cores can speed up.{' '}
          <strong>Channels</strong> (structured) removes whole filters or units and the inputs that read them in the
          next layer: the model becomes physically smaller and faster in any runtime. Layers joined by a residual Add or a
          Concatenate lose the same channels together.
        </dd>
        <dt>Magnitude, random, Taylor</dt>
        <dd>
          How weights are ranked before the lowest are cut. <strong>Magnitude</strong>: smallest |w| first (channels: the
          smallest L1 or L2 norm). <strong>Random</strong>: a baseline, to see what ranking is worth.{' '}
          <strong>Taylor</strong>: the first-order estimate of how much the loss changes without the weight,
          |w · ∂loss/∂w|, measured on a few batches of data.
        </dd>
        <dt>Why the download shrinks only after compression, quantization or channel removal</dt>
        <dd>
          A pruned weight is still stored, as a 4-byte float 0.0: the weight file keeps its size. Runs of zeros compress
          well, so the <strong>gzip</strong> size (what a web server sends) drops; <strong>quantization</strong> stores each
          weight in 2 bytes (float16) or 1 byte (uint8); <strong>removing channels</strong> makes the tensors themselves
          smaller. Every size in the studio says which one it is.
        </dd>
        <dt>Fine-tuning</dt>
        <dd>
          A short training run after pruning, so the remaining weights make up for the removed ones. The studio keeps
          each pruned weight's mask: its gradient is zeroed and the mask re-applied after every step, so pruned weights
          stay exactly 0 (plain <code>model.fit</code> would bring them back). Without labels it distils: the pruned model
          learns to reproduce the original model's outputs.
        </dd>
        <dt>Fidelity and accuracy</dt>
        <dd>
          <strong>Accuracy</strong>: the share of labelled test images (the demo's Fashion-MNIST) classified correctly.{' '}
          <strong>Fidelity</strong>, for a model without labelled data here: how often the pruned model's top answer
          agrees with the original model's on the same generated inputs (for models that are not classifiers, 1 minus
          the relative difference of their outputs). 100% fidelity means the same answers as the original, not
          necessarily right ones.
        </dd>
        <dt>MACs</dt>
        <dd>
          Multiply-accumulate operations to run one example through the model: a measure of compute. Zeroed weights
          still cost MACs in TensorFlow.js (its kernels are dense); removing channels removes them for real.
        </dd>
        <dt>Sensitivity scan and Plan for me</dt>
        <dd>
          The scan prunes each layer alone (or each group of coupled layers) at 10% to 98% and measures what that
          costs. Plan for me then gives each layer the sparsity where it hurts least for your target (a global
          sparsity, a download size, MACs or a largest drop) and sets the sliders; you can still move them. At high
          sparsity this beats one sparsity for every layer by a wide margin.
        </dd>
        <dt>Schedules: one-shot, iterative, gradual (AGP)</dt>
        <dd>
          One-shot prunes to the target at once, then fine-tunes. Iterative prunes a little, trains, and repeats.
          Gradual raises sparsity along a cubic curve while training (Zhu and Gupta 2017). The slower ways usually
          keep more accuracy at high sparsity.
        </dd>
        <dt>Pareto frontier</dt>
        <dd>
          In the history chart, the steps no other step beats on both size and accuracy at once (dashed line). The best
          trade-offs lie on it; a step below it is beaten by another.
        </dd>
      </dl>
      <h3>Common problems</h3>
      <div className="faq">
        <details>
          <summary>My file isn't smaller</summary>
          <p>
            Pruning zeroes weights but stores them all, so the raw weight file keeps its size. Compare the gzip size (what
            a web server actually sends), export at float16 or uint8 precision, or prune channels, which removes weights
            from the file.
          </p>
        </details>
        <details>
          <summary>Accuracy dropped a lot</summary>
          <p>
            Try Plan for me: it spreads the sparsity over the layers by how much each can lose. Or lower the target,
            or prune while fine-tuning (iterative or gradual) instead of all at once. The first convolution and
            the last layer are usually the most sensitive: give them a lower per-layer target. Magnitude ranking with a
            global target lets robust layers lose more. Ctrl+Z (or a click on an earlier history step) goes back.
          </p>
        </details>
        <details>
          <summary>A layer is locked</summary>
          <p>
            Channel pruning never removes the output layer's units (that would change what the model predicts), nor
            channels tied to the model's input or to a layer it cannot re-slice; the note next to the slider gives the
            reason. 2:4 and 4:8 skip layers where the pattern does not apply (depthwise kernels, embeddings).
          </p>
        </details>
        <details>
          <summary>The Keras 3 model won't load</summary>
          <p>
            The studio repairs the known Keras 3 export quirks on import (<code>batch_shape</code>,{' '}
            <code>DTypePolicy</code> objects, weight names prefixed with the model's name) and lists what it changed. Drop
            <code> model.json</code> together with every <code>.bin</code> shard it names (or one .zip); the error says
            which file and what is wrong. Re-export from Keras with <code>tensorflowjs_converter --input_format keras model.h5 out/</code>.
          </p>
        </details>
        <details>
          <summary>Can it prune a graph model (converted from a SavedModel)?</summary>
          <p>
            Yes. Drop it like any model: its layers are read back from the graph's ops (a convolution or matrix product with
            its bias, batch norm and activation), and it is measured on the demo images when it takes them, else by fidelity
            to the original. Unstructured, 2:4 / 4:8 and channel removal (where the graph allows it) work, with magnitude or
            random importance, and so do the sensitivity scan, the plan and the float32 / float16 / uint8 export, which plain{' '}
            <code>tf.loadGraphModel</code> reads. A graph model has no training API, so fine-tuning, weight sharing and the
            Taylor criterion are off; to fine-tune, convert the Keras source with{' '}
            <code>tensorflowjs_converter --output_format=tfjs_layers_model</code>.
          </p>
        </details>
        <details>
          <summary>How do I get my model in, and the pruned one out?</summary>
          <p>
            Drop the model's folder, its files (model.json and the .bin shards) or a .zip of them anywhere on the page,
            or use Open model. Nothing is uploaded: it is read in this tab. Export downloads a .zip (or the loose files)
            that <code>tf.loadLayersModel</code> loads as it is, at float32, float16 or uint8, with a README and a report.
          </p>
        </details>
        <details>
          <summary>Which backend am I on?</summary>
          <p>
            The badge at the top right: WebGPU, WebGL or CPU; "software" means there is no GPU and a software renderer
            stands in. Click it to see why the others were skipped. Add <code>?backend=webgl</code> (or webgpu, cpu) to the
            address to force one.
          </p>
        </details>
      </div>
    </>
  );
}
