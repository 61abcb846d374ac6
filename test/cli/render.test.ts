import { describe, expect, it } from 'vitest';
import { jobFields, jobSummary } from '../../scripts/cli/render.ts';
import type { SyncJob } from '../../scripts/cli/client.ts';

const job = (objects: SyncJob['progress']['objects']): SyncJob =>
  ({
    id: 'job-1',
    sourceId: 'source-1',
    kind: 'backfill',
    status: 'completed',
    startFrom: null,
    cursor: null,
    progress: { pages: 4, recordsSeen: 200, created: 190, updated: 0, unchanged: 0, stale: 0, deadLettered: 10, readCalls: 5, objects },
    stalledSince: null,
    lastError: null,
    startedAt: '2026-11-24T06:00:00.000Z',
    finishedAt: '2026-11-24T06:00:12.000Z',
  }) as unknown as SyncJob;

describe('a job as the CLI shows it to a person', () => {
  it('names the object records a mapping wrote, beside the contacts', () => {
    const withObjects = job({ created: 188, updated: 2, unchanged: 0, stale: 0 });
    expect(jobSummary(withObjects)).toMatch(/^ {2}object records +188 created, 2 updated, 0 unchanged$/m);
    expect(jobFields(withObjects)).toMatch(/^object records +188 created, 2 updated, 0 unchanged$/m);
  });

  it('leaves the line out of the summary when the mapping makes no objects', () => {
    const contactsOnly = job({ created: 0, updated: 0, unchanged: 0, stale: 0 });
    expect(jobSummary(contactsOnly)).not.toContain('object records');
    expect(jobSummary(contactsOnly)).toMatch(/^ {2}created +190$/m);
  });
});
