import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,common,view,tools,receiver,engine,store,control,daemon,notify,respond,cli,tui,web,test}/**/*.test.{ts,tsx}'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests start real daemons on ephemeral ports; two workers match the machine's two cores.
    maxWorkers: 2,
  },
});
