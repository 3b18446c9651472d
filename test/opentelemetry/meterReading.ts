// Shared by the OpenTelemetry suites: a real SDK meter whose readings a test collects when it wants them.
import { ValueType } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";

/** A meter whose readings are collected on demand, through the SDK's in-memory exporter. */
export const meterReading = () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // An hour-long interval: nothing exports on its own during a test, only forceFlush does.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const read = async () => {
    exporter.reset();
    await reader.forceFlush();
    const metrics = exporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    return (name: string) => metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
  };
  /** What a dashboard lists of each instrument read: name, description, unit, value type. */
  const descriptors = async () => {
    exporter.reset();
    await reader.forceFlush();
    return exporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      .map(({ descriptor: { name, description, unit, valueType } }) => ({
        name,
        description,
        unit,
        valueType: valueType === ValueType.INT ? "int" : "double",
      }));
  };
  /** The names of the meters that recorded something. */
  const scopes = async () => {
    exporter.reset();
    await reader.forceFlush();
    return exporter.getMetrics().flatMap((resource) => resource.scopeMetrics.map((scope) => scope.scope.name));
  };
  return { meter: provider.getMeter("test"), provider, read, descriptors, scopes, close: () => provider.shutdown() };
};

/** The attributes and value of each data point, without the timestamps that differ from run to run. */
export const values = (points: DataPoint<unknown>[]) => points.map(({ attributes, value }) => ({ attributes, value }));
