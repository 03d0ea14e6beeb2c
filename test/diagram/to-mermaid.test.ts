import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  and,
  assign,
  createMachine,
  emit,
  enqueueActions,
  fromPromise,
  not,
  setup,
  stateIn,
} from 'xstate';
import {
  aggregateLifecycleMachine,
  BankAccount,
  Dog,
  dogMachine,
  projectionLifecycleMachine,
} from '../../machines/index.js';
import { ProgrammingError } from '../../src/core/errors.js';
import { isDiagramSource } from '../../src/diagram/machine-graph.js';
import { toMermaid } from '../../src/diagram/to-mermaid.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { edgeLines, type ParsedDiagram, parseMermaid, shownName } from './mermaid-syntax.js';

/** `toMermaid`, checked against the Mermaid subset on the way. */
function draw(...args: Parameters<typeof toMermaid>): { text: string; diagram: ParsedDiagram } {
  const text = toMermaid(...args);
  return { text, diagram: parseMermaid(text) };
}

/** The `from --> to : event` lines a plain machine's `on` config should give, one per handler. */
function configEdges(
  states: Record<string, { on?: Record<string, unknown> }>,
  rootOn: Record<string, unknown> = {},
): string[] {
  const lines: string[] = [];
  const targetOf = (handler: unknown): string | undefined => {
    const target = typeof handler === 'string' ? handler : (handler as { target?: string }).target;
    return target?.replace(/^\./, '');
  };
  for (const [event, handler] of Object.entries(rootOn)) {
    lines.push(`any_state --> ${targetOf(handler) ?? 'any_state'} : ${event}`);
  }
  for (const [state, config] of Object.entries(states)) {
    for (const [event, handler] of Object.entries(config.on ?? {})) {
      lines.push(`${state} --> ${targetOf(handler) ?? state} : ${event}`);
    }
  }
  return lines;
}

describe('toMermaid: aggregates', () => {
  it('draws the Dog: commands as self-transitions that emit, domain events as transitions', () => {
    expect(toMermaid(Dog)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> unregistered',
        '  unregistered --> unregistered : register ⟶ emits Registered',
        '  unregistered --> registered : Registered',
        '  registered --> registered : addTrick ⟶ emits TrickAdded<br>TrickAdded',
      ].join('\n'),
    );
    parseMermaid(toMermaid(Dog));
  });

  it('draws the picture the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Pictures without a browser'));
    const block = section.match(/^```mermaid\n([\s\S]*?)\n```$/m)?.[1];
    expect(block).toBe(toMermaid(Dog));
  });

  it('draws the same for the bare machine, and is deterministic', () => {
    expect(toMermaid(dogMachine)).toBe(toMermaid(Dog));
    expect(toMermaid(BankAccount)).toBe(toMermaid(BankAccount));
    const again = defineAggregate({ name: 'Dog', machine: dogMachine.provide({}) });
    expect(toMermaid(again)).toBe(toMermaid(Dog));
  });

  it('draws every transition of the BankAccount, commands and domain events told apart', () => {
    const { diagram } = draw(BankAccount);
    expect(diagram.initials.get('')).toEqual(['initial']);
    const lines = edgeLines(diagram);
    expect(lines).toEqual([
      'initial --> initial : open ⟶ emits Opened',
      'initial --> open : Opened',
      'open --> open : deposit ⟶ emits Deposited',
      'open --> open : Deposited',
      'open --> open : withdraw [guard] ⟶ emits Withdrawn',
      'open --> open : Withdrawn',
      'open --> open : close ⟶ emits Closed',
      'open --> closed : Closed',
    ]);
    const labels = diagram.edges.flatMap((edge) => edge.labels);
    const commands = labels.filter((label) => label.includes(' ⟶ emits '));
    const events = labels.filter((label) => !label.includes(' ⟶ emits '));
    expect(new Set(commands.map((label) => label.split(' ')[0]))).toEqual(BankAccount.commandTypes);
    expect(new Set(events)).toEqual(BankAccount.eventTypes);
    for (const label of commands) {
      expect(BankAccount.eventTypes.has(label.split(' ⟶ emits ')[1] as string)).toBe(true);
    }
    // Commands never leave their state; a closed account has no transitions at all.
    for (const edge of diagram.edges) {
      if (edge.labels.some((label) => label.includes(' ⟶ emits '))) expect(edge.to).toBe(edge.from);
    }
    expect(diagram.edges.filter((edge) => edge.from === 'closed')).toEqual([]);
    expect(diagram.ids).toContain('closed');
  });

  it('says what a command emits through named actions, params and enqueueActions, or ?', () => {
    const machine = setup({
      types: {
        events: {} as
          | { type: 'name' | 'rename' | 'check' | 'vague' | 'Named' | 'Checked' | 'Vague' }
          | { type: 'Renamed'; to: string },
        emitted: {} as { type: 'Named' | 'Checked' | 'Vague' } | { type: 'Renamed'; to: string },
      },
      actions: {
        record: emit((_, params: { type: 'Named' }) => ({ type: params.type })),
        maybe: enqueueActions(({ enqueue, check }) => {
          if (check(() => true)) enqueue.emit({ type: 'Checked' });
        }),
      },
    }).createMachine({
      id: 'Thing',
      initial: 'ready',
      states: {
        ready: {
          on: {
            name: { actions: { type: 'record', params: { type: 'Named' } } },
            rename: {
              actions: emit(({ event }) => {
                if (typeof (event as { to?: unknown }).to !== 'string') throw new Error('no');
                return { type: 'Renamed', to: '' };
              }),
            },
            check: { actions: 'maybe' },
            vague: { actions: () => {} },
            Named: {},
            Renamed: {},
            Checked: { actions: assign({}) },
            Vague: {},
          },
        },
      },
    });
    const Thing = defineAggregate({
      name: 'Thing',
      machine,
      events: ['Named', 'Renamed', 'Checked', 'Vague'],
    });
    const { diagram } = draw(Thing);
    expect(diagram.edges).toHaveLength(1);
    expect(diagram.edges[0]?.labels).toEqual([
      'name ⟶ emits Named',
      'rename ⟶ emits ?',
      'check ⟶ emits Checked',
      'vague ⟶ emits ?',
      'Named',
      'Renamed',
      'Checked',
      'Vague',
    ]);
  });
});

describe('toMermaid: the lifecycle machines', () => {
  it('draws the aggregate lifecycle: its root stop from "any state", its final state', () => {
    const { text, diagram } = draw(aggregateLifecycleMachine);
    expect(text).not.toContain('⟶ emits');
    expect(diagram.initials.get('')).toEqual(['loading']);
    expect(diagram.finals.get('')).toEqual(['stopped']);
    expect(diagram.labels.get('any_state')).toBe('any state');
    expect(diagram.classes.get('any_state')).toBe('anyState');
    const config = aggregateLifecycleMachine.config as {
      on: Record<string, unknown>;
      states: Record<string, { on?: Record<string, unknown> }>;
    };
    expect(edgeLines(diagram).sort()).toEqual(configEdges(config.states, config.on).sort());
    expect(edgeLines(diagram)).toContain('any_state --> stopped : stop');
    // Every state is drawn.
    for (const state of Object.keys(config.states)) expect(diagram.ids).toContain(state);
  });

  it('draws the projection lifecycle: two final states reached from any state', () => {
    const { text, diagram } = draw(projectionLifecycleMachine);
    expect(text).not.toContain('⟶ emits');
    expect(diagram.initials.get('')).toEqual(['connecting']);
    expect(diagram.finals.get('')).toEqual(['failed', 'stopped']);
    const config = projectionLifecycleMachine.config as {
      on: Record<string, unknown>;
      states: Record<string, { on?: Record<string, unknown> }>;
    };
    expect(edgeLines(diagram).sort()).toEqual(configEdges(config.states, config.on).sort());
    expect(edgeLines(diagram)).toEqual(
      expect.arrayContaining(['any_state --> failed : fail', 'any_state --> stopped : stop']),
    );
  });
});

const player = setup({
  guards: { isReady: () => true, hasFunds: () => true },
  actors: { fetcher: fromPromise(async () => 1) },
  actions: { notify: emit({ type: 'Notified' }) },
  delays: { SOON: 10 },
}).createMachine({
  id: 'player',
  initial: 'idle',
  on: { reset: '.idle', ping: { actions: 'notify' } },
  states: {
    idle: {
      on: {
        play: [
          { target: 'playing', guard: 'isReady' },
          { target: 'playing.video.paused', guard: and(['isReady', not('hasFunds')]) },
        ],
      },
      always: { target: 'done', guard: stateIn('#player.done') },
      after: { 1000: 'loading', SOON: 'done' },
    },
    loading: {
      invoke: {
        id: 'load',
        src: 'fetcher',
        onDone: 'playing',
        onError: { target: 'idle', guard: ({ event }) => event.error !== undefined },
      },
    },
    playing: {
      type: 'parallel',
      onDone: 'done',
      states: {
        video: {
          initial: 'running',
          states: {
            running: { on: { pause: 'paused' } },
            paused: { on: { resume: 'running', stop: '#player.idle' } },
            hist: { type: 'history', history: 'deep' },
          },
        },
        audio: {
          initial: 'muted',
          states: {
            muted: { on: { unmute: 'loud' } },
            loud: { on: { mute: 'muted', finish: 'ended' } },
            ended: { type: 'final' },
          },
        },
      },
    },
    done: { type: 'final' },
  },
});

describe('toMermaid: nested and parallel states, guards, always, after, invoke', () => {
  it('draws compound and parallel states as composite states, regions apart', () => {
    const { diagram } = draw(player);
    expect(diagram.initials.get('')).toEqual(['idle']);
    expect(diagram.finals.get('')).toEqual(['done']);
    expect([...diagram.composites]).toEqual(['playing', 'video', 'audio']);
    expect(diagram.regions.get('playing')).toBe(2);
    expect(diagram.regions.get('video')).toBe(1);
    expect(diagram.initials.get('video')).toEqual(['running']);
    expect(diagram.initials.get('audio')).toEqual(['muted']);
    expect(diagram.initials.has('playing')).toBe(false);
    expect(diagram.finals.get('audio')).toEqual(['ended']);
    expect(Object.fromEntries(diagram.parents)).toEqual({
      video: 'playing',
      running: 'video',
      paused: 'video',
      hist: 'video',
      audio: 'playing',
      muted: 'audio',
      loud: 'audio',
      ended: 'audio',
    });
    expect(diagram.labels.get('hist')).toBe('H*');
    for (const state of ['idle', 'loading', 'playing', 'done']) {
      expect(diagram.ids).toContain(state);
      expect(diagram.parents.has(state)).toBe(false);
    }
  });

  it('labels every transition with its trigger and guard, the root ones from "any state"', () => {
    const { diagram } = draw(player);
    expect(edgeLines(diagram)).toEqual([
      'any_state --> idle : reset',
      'any_state --> any_state : ping ⟶ emits Notified',
      'idle --> playing : play [isReady]',
      'idle --> paused : play [and(isReady, not(hasFunds))]',
      'idle --> loading : after 1000ms',
      'idle --> done : after SOON',
      'idle --> done : always [stateIn(#player.done)]',
      'loading --> playing : onDone(load)',
      'loading --> idle : onError(load) [guard]',
      'playing --> done : onDone',
      'running --> paused : pause',
      'paused --> running : resume',
      'paused --> idle : stop',
      'muted --> loud : unmute',
      'loud --> muted : mute',
      'loud --> ended : finish',
    ]);
  });

  it('draws a parallel root, and a root that is a target, as a composite state', () => {
    const lights = createMachine({
      id: 'lights',
      type: 'parallel',
      on: { reboot: '#lights' },
      states: {
        north: { initial: 'red', states: { red: { on: { next: 'green' } }, green: {} } },
        south: { initial: 'red', states: { red: { on: { next: 'green' } }, green: {} } },
      },
    });
    const { diagram } = draw(lights, { direction: 'LR' });
    expect(diagram.direction).toBe('LR');
    expect(diagram.initials.get('')).toEqual(['lights']);
    expect(diagram.regions.get('lights')).toBe(2);
    expect(diagram.parents.get('north_red')).toBe('north');
    expect(diagram.labels.get('north_red')).toBe('red');
    expect(edgeLines(diagram)).toEqual([
      'any_state --> lights : reboot',
      'north_red --> north_green : next',
      'south_red --> south_green : next',
    ]);
  });

  it('draws a machine without states as one state', () => {
    const toggle = createMachine({ id: 'toggle', on: { flip: { actions: emit({ type: 'x' }) } } });
    expect(toMermaid(toggle)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> toggle',
        '  toggle',
        '  toggle --> toggle : flip ⟶ emits x',
      ].join('\n'),
    );
  });
});

describe('toMermaid: ids and labels Mermaid can take', () => {
  const odd = createMachine({
    id: 'odd',
    initial: 'a',
    states: {
      a: { initial: 'idle', states: { idle: { on: { 'go: now': '#odd.b.idle' } } } },
      b: { initial: 'idle', states: { idle: {}, default: {} } },
      '1st': {},
      x_start: {},
      lonely: {},
      root: { on: { '%% not a comment {}': 'a' } },
      'direction TB': { on: { 'say;hi <b>"#1"': 'a', check: { guard: 'has $ & `x`' } } },
    },
  });

  it('makes ids from keys (paths where keys repeat) and labels the states they rename', () => {
    const { diagram } = draw(odd);
    expect(Object.fromEntries(diagram.labels)).toEqual({
      a_idle: 'idle',
      b_idle: 'idle',
      s_default: 'default',
      s_1st: '1st',
      x_start_: 'x_start',
      root_2: 'root',
      direction_TB: 'direction TB',
    });
    expect(diagram.parents.get('a_idle')).toBe('a');
    expect(diagram.parents.get('s_default')).toBe('b');
    // A top-level state no edge mentions is declared on its own.
    expect(diagram.ids).toContain('lonely');
    const shown = diagram.ids.map((id) => shownName(diagram, id));
    for (const key of ['a', 'b', 'idle', 'default', '1st', 'x_start', 'lonely', 'root']) {
      expect(shown).toContain(key);
    }
  });

  it('escapes what Mermaid would misread as entity codes', () => {
    const { text, diagram } = draw(odd);
    expect(edgeLines(diagram)).toEqual([
      'a_idle --> b_idle : go: now',
      'root_2 --> a : %% not a comment {}',
      'direction_TB --> a : say;hi <b>"#1"',
      'direction_TB --> direction_TB : check [has $ & `x`]',
    ]);
    expect(text).toContain('go#58; now');
    expect(text).toContain('state "direction#32;TB" as direction_TB');
  });

  it('is checked by a reader that refuses what Mermaid would misread', () => {
    expect(() => parseMermaid('stateDiagram-v2\n  a --> b : x;y')).toThrow(/bad label/);
    expect(() => parseMermaid('stateDiagram-v2\n  a --> b : go direction TB')).toThrow(
      /direction statement/,
    );
    expect(() => parseMermaid('stateDiagram-v2\n  defaults --> b : x')).toThrow(/keyword/);
    expect(() => parseMermaid('stateDiagram-v2\n  a_start --> b : x')).toThrow(/generates/);
    expect(() => parseMermaid('stateDiagram-v2\n  state a {\n    b')).toThrow(/unclosed/);
  });

  it('refuses what is neither an aggregate definition nor a machine, and unknown directions', () => {
    expect(isDiagramSource(Dog)).toBe(true);
    expect(isDiagramSource(dogMachine)).toBe(true);
    expect(isDiagramSource({ machine: 'no' })).toBe(false);
    expect(() => toMermaid({} as never)).toThrow(ProgrammingError);
    expect(() => toMermaid({} as never)).toThrow(/aggregate definition or an XState v5 machine/);
    expect(() => toMermaid(Dog, { direction: 'UP' as never })).toThrow(/direction must be one of/);
  });
});
