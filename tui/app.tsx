// The React root: the controller's current frame, one Ink <Text> per line, one per styled segment inside. Everything
// was laid out before (frame.ts, screens/): lines are exactly as wide as they may be, so Ink never wraps or cuts.
// No useInput (keys come from tui/input.ts), no useFocus (Esc means back), no <Static> (the screen repaints).
//
// The one module of ours that imports React and Ink at run time: `npm run build` bundles it with them into a single
// file (tools/build-tui.ts), because loading Ink's ~500 module files was most of the TUI's start-up. Keep it so: other
// modules of ours import only its types, and mount through mountApp (a second React would break the hooks).

import { memo, useSyncExternalStore } from 'react';
import { Box, render, Text, type Instance, type RenderOptions } from 'ink';
import type { Controller } from './controller.js';
import type { Line } from './lines.js';
import type { Style } from './theme.js';

function inkStyle(style: Style): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (style.color !== undefined) props.color = style.color;
  if (style.backgroundColor !== undefined) props.backgroundColor = style.backgroundColor;
  if (style.bold) props.bold = true;
  if (style.dim) props.dimColor = true;
  if (style.inverse) props.inverse = true;
  if (style.underline) props.underline = true;
  return props;
}

const LineView = memo(function LineView({ line }: { line: Line }) {
  // An empty Text takes no row in Ink's layout: a blank line is a space.
  if (line.segments.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate">
      {line.segments.map((segment, index) => (
        <Text key={index} {...inkStyle(segment.style)}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
});

export function App({ controller }: { controller: Controller }) {
  const frame = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  return (
    <Box flexDirection="column">
      {frame.lines.map((line, index) => (
        <LineView key={index} line={line} />
      ))}
    </Box>
  );
}

export type MountedApp = Pick<Instance, 'unmount' | 'waitUntilExit'>;

/** Renders the controller's frames with Ink until unmounted. */
export function mountApp(controller: Controller, options: RenderOptions): MountedApp {
  return render(<App controller={controller} />, options);
}
