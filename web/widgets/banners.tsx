// What the page says when it is not live: the dashboard server is gone (the stream broke), or a daemon behind it is
// (its session is reconnecting). Shown until the page is live again; nothing needs a reload.

import type { Connection } from '../../view/incidents-state.js';
import type { LinkState } from '../live-stream.js';
import { cleanLine } from '../../view/text.js';

export function ConnectionBanners({ link, connections, fleet }: { link: LinkState; connections: readonly Connection[]; fleet: boolean }) {
  const away = connections.filter((connection) => connection.state === 'reconnecting');
  return (
    <div className="banners" role="status" aria-live="polite">
      {link === 'lost' ? (
        <p className="banner banner-lost" data-banner="gateway">
          <strong>Lost the dashboard server.</strong> Reconnecting… (what changed meanwhile appears when it is back)
        </p>
      ) : null}
      {link === 'open'
        ? away.map((connection) => (
            <p className="banner banner-daemon" data-banner="daemon" key={connection.member}>
              <strong>
                Lost the daemon{fleet ? ` d${connection.member + 1}` : ''} at {cleanLine(connection.address)}.
              </strong>{' '}
              Reconnecting (attempt {connection.attempt}){connection.error ? `: ${cleanLine(connection.error)}` : ''}
            </p>
          ))
        : null}
    </div>
  );
}
