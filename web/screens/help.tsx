// Help: the keys, generated from the terminal UI's key map (view/keymap.ts) as its `?` screen is, less what a browser
// does itself; and the address filters.

import { COMMANDS, KEYMAP } from '../../view/keymap.js';

const LEFT_TO_THE_BROWSER = new Set(['next_tab', 'suspend', 'quit']);

export function HelpScreen({ readOnly }: { readOnly: boolean }) {
  const commands = COMMANDS.filter((command) => !LEFT_TO_THE_BROWSER.has(command) && !(readOnly && KEYMAP[command].mutates));
  return (
    <div className="help">
      <h1>Help</h1>
      <section className="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys (as in the terminal UI)</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((command) => (
              <tr key={command}>
                <td>
                  {KEYMAP[command].label.split(' ').map((key) => (
                    <kbd key={key}>{key}</kbd>
                  ))}
                </td>
                <td>{KEYMAP[command].description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="filters-title">
        <h2 id="filters-title">Filters in the address</h2>
        <p>The overview and the incident list take the seed&apos;s filters; bookmark or share the address to keep a view:</p>
        <ul>
          <li><code>?severity=critical</code> (several: <code>critical,high</code>)</li>
          <li><code>?status=active</code> (every open status) or a status such as <code>resolved</code></li>
          <li><code>?component=api</code> (a component whose name contains it)</li>
          <li><code>?since=1h</code> (an age: 30m, 24h, 7d; or an ISO-8601 time)</li>
          <li><code>?type=error_burst</code></li>
          <li><code>?q=words</code> (free text)</li>
        </ul>
      </section>
    </div>
  );
}
