import { startRecorder, type Recorder, type RecorderOptions } from '../../recorder/recorder.ts';
import type { TimelineRecord } from '../../../core/timeline/format.ts';
import { TimelineWriter } from '../../../core/timeline/io.ts';
import type { Component } from '../../../core/component.ts';

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

/** The recorder watching the HPA, the ElasticWorkload, Deployments, Pods and Nodes. */
export class RecorderComponent implements Component {
  readonly name = 'recorder';
  private recorder: Recorder | undefined;

  constructor(private readonly opts: () => RecorderOptions) {}

  async start(): Promise<void> {
    this.recorder = await startRecorder(this.opts());
  }

  /** Every scheduled sample that came due; the replay calls it around a jump to the next window. */
  sampleDue(): void {
    this.recorder?.sampleDue();
  }

  async stop(): Promise<void> {
    await this.recorder?.stop();
  }
}
