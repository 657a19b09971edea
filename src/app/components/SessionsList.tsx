import { useState } from 'react';
import type { SessionInfo } from '../../engine/api';
import { canAct, useStudio } from '../store';
import { deleteSession, openSession, renameSession } from '../studioActions';
import { formatBytes, formatCount } from '../format';
import { clockTime } from './RestoreOffer';
import './sessions.css';

/** Saved sessions (saved in this browser after every step): open, rename, delete, size on disk. */
export function SessionsList() {
  const list = useStudio((s) => s.sessions);
  const sessions = list?.sessions ?? [];
  return (
    <section className="panel sessions-panel" aria-labelledby="sessions-title">
      <div className="panel-head">
        <h2 id="sessions-title">Sessions</h2>
        <span className="muted small" data-testid="sessions-size" data-bytes={list?.bytesOnDisk ?? 0}>
          {list ? `${formatCount(sessions.length)} saved in this browser · ${formatBytes(list.bytesOnDisk)} on disk` : 'Saved sessions are not available here'}
        </span>
      </div>
      <p className="muted small">Every step is saved in this browser (IndexedDB), never uploaded. A session comes back exactly: the same step, sliders, history and weights.</p>
      <ul className="sessions-list" data-testid="sessions">
        {sessions.map((s) => <SessionItem key={s.id} session={s} current={s.id === list?.current} />)}
        {list && sessions.length === 0 && <li className="muted small">Nothing saved yet: sessions appear after the first step.</li>}
      </ul>
    </section>
  );
}

function SessionItem({ session, current }: { session: SessionInfo; current: boolean }) {
  const free = useStudio(canAct);
  const [editing, setEditing] = useState<string | null>(null);
  const date = new Date(session.savedAt);
  return (
    <li className={`session-item${current ? ' current' : ''}`} data-testid="session-item" data-id={session.id} data-steps={session.steps} data-bytes={session.bytes}>
      <div className="session-main">
        {editing === null ? (
          <span className="session-name">{session.name}{current ? <span className="tag">current</span> : null}</span>
        ) : (
          <form onSubmit={(e) => { e.preventDefault(); void renameSession(session.id, editing); setEditing(null); }}>
            <input className="session-rename" data-testid="session-name" aria-label="Session name" value={editing} autoFocus
              onChange={(e) => setEditing(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setEditing(null)} />
          </form>
        )}
        <span className="muted small">
          {session.model} · {formatCount(session.steps)} steps · saved {date.toLocaleDateString([], { day: 'numeric', month: 'short' })} {clockTime(session.savedAt)} · {formatBytes(session.bytes)}
        </span>
      </div>
      <button type="button" className="small-button" data-testid="session-open" disabled={!free || current} onClick={() => void openSession(session.id)}>Open</button>
      <button type="button" className="small-button" data-testid="session-rename" onClick={() => setEditing(editing === null ? session.name : null)}>
        {editing === null ? 'Rename' : 'Cancel'}
      </button>
      <button type="button" className="small-button" data-testid="session-delete" onClick={() => void deleteSession(session.id)}
        aria-label={`Delete session ${session.name}`}>Delete</button>
    </li>
  );
}
