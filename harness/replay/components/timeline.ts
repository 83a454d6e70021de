import type { Component } from '../../../core/component.ts';
import type { TimelineRecord } from '../../../core/timeline/format.ts';
import { TimelineWriter } from '../../../core/timeline/io.ts';

/**
 * timeline.jsonl: every record written goes to the file and stays in memory for the checks and the
 * reports. A component so that the file is closed after the recorder stops and before the reports.
 */
export class TimelineComponent implements Component {
  readonly name = 'timeline';
  readonly records: TimelineRecord[] = [];
  private writer: TimelineWriter | undefined;

  constructor(private readonly file: string) {}

  async start(): Promise<void> {
    this.writer = new TimelineWriter(this.file);
  }

  write = (r: TimelineRecord): void => {
    this.records.push(r);
    this.writer?.write(r);
  };

  async stop(): Promise<void> {
    const w = this.writer;
    this.writer = undefined;
    await w?.close();
  }
}
