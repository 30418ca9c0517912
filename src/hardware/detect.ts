// Hardware detection for `model-convert detect` and report.json: CPU (brand, cores, the
// instruction-set flags that matter for inference kernels), memory, GPUs, OS and Node,
// read through systeminformation; and which target × precision suits this machine.
//   const hw = await detectHardware();
//   console.log(formatHardwareLine(hw)); for (const r of recommendTargets(hw)) …

import si from 'systeminformation';
import type { Systeminformation } from 'systeminformation';
import type { Precision, TargetName } from '../pipeline/types.js';

export interface CpuInfo {
  brand: string;
  vendor: string;
  physicalCores: number;
  logicalCores: number;
  /** Normalised names from CPU_FLAGS_OF_INTEREST, in that order. */
  flags: string[];
  speedGHz: number;
}

export interface GpuInfo {
  vendor: string;
  model: string;
  vramBytes: number | null;
}

export interface HardwareInfo {
  cpu: CpuInfo;
  memory: { totalBytes: number; availableBytes: number };
  gpus: GpuInfo[];
  os: { platform: string; distro: string; release: string; arch: string };
  /** process.version, e.g. "v20.20.2". */
  node: string;
}

export interface Recommendation {
  target: TargetName;
  precision: Precision;
  reason: string;
}

/** The systeminformation calls detectHardware makes; tests pass fixed data instead. */
export interface HardwareProbe {
  cpu(): Promise<
    Pick<
      Systeminformation.CpuData,
      'manufacturer' | 'brand' | 'vendor' | 'cores' | 'physicalCores' | 'speed' | 'speedMax'
    >
  >;
  cpuFlags(): Promise<string>;
  mem(): Promise<Pick<Systeminformation.MemData, 'total' | 'available'>>;
  graphics(): Promise<{
    controllers: Pick<Systeminformation.GraphicsControllerData, 'vendor' | 'model' | 'vram'>[];
  }>;
  osInfo(): Promise<Pick<Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'arch'>>;
}

/** Flags that change which kernels a runtime can use, in display order. */
export const CPU_FLAGS_OF_INTEREST = [
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx512_bf16',
  'avx512_fp16',
  'avx_vnni',
  'amx_tile',
  'amx_int8',
  'amx_bf16',
  'neon',
  'neon_fp16',
  'dotprod',
  'i8mm',
  'sve',
  'sve2',
] as const;

/**
 * Spellings used by Linux /proc/cpuinfo (x86 "flags", ARM "Features"), macOS sysctl and
 * lscpu, mapped to our names. Names that already match are not listed.
 */
const FLAG_ALIASES: Record<string, string> = {
  'avx1.0': 'avx', // macOS machdep.cpu.features
  avx512vnni: 'avx512_vnni',
  avx512bf16: 'avx512_bf16',
  avx512fp16: 'avx512_fp16',
  avxvnni: 'avx_vnni',
  asimd: 'neon', // AArch64 Linux
  asimdhp: 'neon_fp16',
  asimddp: 'dotprod',
};

const BYTES_PER_GIB = 1024 ** 3;
const BYTES_PER_MIB = 1024 ** 2;
/** graphics() shells out to lspci / nvidia-smi / system_profiler; never wait longer. */
const GRAPHICS_TIMEOUT_MS = 2500;

const systemProbe: HardwareProbe = {
  cpu: () => si.cpu(),
  cpuFlags: () => si.cpuFlags(),
  mem: () => si.mem(),
  graphics: () => si.graphics(),
  osInfo: () => si.osInfo(),
};

/** Reads this machine's hardware (all probes in parallel, well under 3 s). */
export async function detectHardware(probe: HardwareProbe = systemProbe): Promise<HardwareInfo> {
  const [cpu, rawFlags, mem, graphics, os] = await Promise.all([
    probe.cpu(),
    probe.cpuFlags().catch(() => ''),
    probe.mem(),
    withTimeout(probe.graphics(), GRAPHICS_TIMEOUT_MS, { controllers: [] }).catch(() => ({
      controllers: [],
    })),
    probe.osInfo(),
  ]);
  const brand = cpu.brand.startsWith(cpu.manufacturer)
    ? cpu.brand
    : `${cpu.manufacturer} ${cpu.brand}`.trim();
  const logicalCores = Math.max(1, cpu.cores || 0);
  return {
    cpu: {
      brand,
      vendor: cpu.manufacturer || cpu.vendor,
      physicalCores: Math.max(1, cpu.physicalCores || logicalCores),
      logicalCores,
      flags: normalizeCpuFlags(rawFlags, { platform: os.platform, arch: os.arch }),
      speedGHz: cpu.speedMax || cpu.speed || 0,
    },
    memory: { totalBytes: mem.total, availableBytes: mem.available },
    gpus: graphics.controllers.map((c) => ({
      vendor: c.vendor,
      model: c.model,
      vramBytes: c.vram ? c.vram * BYTES_PER_MIB : null, // systeminformation reports MiB
    })),
    os: { platform: os.platform, distro: os.distro, release: os.release, arch: os.arch },
    node: process.version,
  };
}

/**
 * Raw space-separated flags (any OS spelling) → our names, in CPU_FLAGS_OF_INTEREST order.
 * Apple silicon exposes no flag list to systeminformation; every M-series core has NEON,
 * fp16 arithmetic and dot products (ARMv8.4+), so those are filled in for darwin/arm64.
 */
export function normalizeCpuFlags(raw: string, machine: { platform: string; arch: string }): string[] {
  const present = new Set<string>();
  for (const token of raw.toLowerCase().split(/\s+/)) {
    if (token) present.add(FLAG_ALIASES[token] ?? token);
  }
  if (machine.platform === 'darwin' && machine.arch === 'arm64' && !present.has('neon')) {
    for (const flag of ['neon', 'neon_fp16', 'dotprod']) present.add(flag);
  }
  return CPU_FLAGS_OF_INTEREST.filter((flag) => present.has(flag));
}

/**
 * What to convert to on this machine, most basic first: onnx fp32 (always, the reference),
 * CPU int8, CPU fp16, int4 by memory, then webgpu fp16 when a capable GPU is present.
 */
export function recommendTargets(hw: HardwareInfo): Recommendation[] {
  const has = (flag: string): boolean => hw.cpu.flags.includes(flag);
  const recommendations: Recommendation[] = [
    {
      target: 'onnx',
      precision: 'fp32',
      reason: 'reference: original weights; every other variant is verified against it',
    },
  ];

  const int8Units = ['avx512_vnni', 'avx_vnni', 'amx_int8'].filter(has);
  if (int8Units.length > 0) {
    recommendations.push({
      target: 'onnx',
      precision: 'int8',
      reason: `VNNI/AMX int8 dot products (${int8Units.join(', ')}): fastest CPU precision, 4× smaller`,
    });
  } else if (has('dotprod')) {
    const units = ['dotprod', 'i8mm'].filter(has).join(', ');
    recommendations.push({
      target: 'onnx',
      precision: 'int8',
      reason: `ARM int8 dot products (${units}): fastest CPU precision, 4× smaller`,
    });
  } else if (has('avx2') || has('neon')) {
    const simd = has('avx2') ? 'avx2' : 'neon';
    recommendations.push({
      target: 'onnx',
      precision: 'int8',
      reason: `${simd} without int8 dot-product instructions: 4× smaller, but int8 runs slower than on VNNI/dotprod CPUs`,
    });
  }

  if (has('avx512_fp16') || has('neon_fp16')) {
    const unit = has('avx512_fp16') ? 'avx512_fp16' : 'neon_fp16';
    recommendations.push({
      target: 'onnx',
      precision: 'fp16',
      reason: `native fp16 arithmetic (${unit}): half the size, near-fp32 accuracy`,
    });
  } else if (has('f16c')) {
    recommendations.push({
      target: 'onnx',
      precision: 'fp16',
      reason:
        'f16c converts fp16 in hardware: half the size, but CPU kernels compute in fp32, so no speed-up',
    });
  }

  const memoryGiB = hw.memory.totalBytes / BYTES_PER_GIB;
  recommendations.push({
    target: 'onnx',
    precision: 'int4',
    reason:
      memoryGiB >= 16
        ? `${formatGiB(hw.memory.totalBytes)} memory: fits 7B-parameter models at int4 (~3.5 GiB of weights)`
        : `${formatGiB(hw.memory.totalBytes)} memory: int4 keeps models up to ~3B parameters in memory; 7B needs 16 GiB`,
  });

  const gpu = bestWebGpu(hw.gpus);
  if (gpu) {
    const vram = gpu.vramBytes ? ` (${formatGiB(gpu.vramBytes)})` : '';
    recommendations.push({
      target: 'webgpu',
      precision: 'fp16',
      reason: `${gpu.model}${vram}: WebGPU with shader-f16 runs fp16 on the GPU`,
    });
  }
  return recommendations;
}

/** NVIDIA, AMD Radeon with ≥ 2 GiB of its own memory, Intel Arc, Apple: worth a WebGPU variant. */
export function isCapableGpu(gpu: GpuInfo): boolean {
  const name = `${gpu.vendor} ${gpu.model}`;
  if (/nvidia/i.test(name)) return true;
  if (/intel/i.test(name)) return /\barc\b/i.test(gpu.model);
  if (/apple/i.test(name)) return true;
  if (/\bamd\b|\bati\b|advanced micro devices/i.test(name)) {
    return /instinct|radeon (rx|pro)/i.test(gpu.model) || (gpu.vramBytes ?? 0) >= 2 * BYTES_PER_GIB;
  }
  return false;
}

function bestWebGpu(gpus: GpuInfo[]): GpuInfo | undefined {
  const capable = gpus.filter(isCapableGpu);
  return capable.sort((a, b) => (b.vramBytes ?? 0) - (a.vramBytes ?? 0))[0];
}

/** `AMD EPYC · 2 cores (2 threads) · avx avx2 … · 23.5 GiB · no GPU · linux x64 · node v20.20.2` */
export function formatHardwareLine(hw: HardwareInfo): string {
  const cores =
    `${hw.cpu.physicalCores} ${plural(hw.cpu.physicalCores, 'core')} ` +
    `(${hw.cpu.logicalCores} ${plural(hw.cpu.logicalCores, 'thread')})`;
  const flags = hw.cpu.flags.length > 0 ? hw.cpu.flags.join(' ') : 'no SIMD flags detected';
  const gpus =
    hw.gpus.length === 0
      ? 'no GPU'
      : hw.gpus.map((g) => (g.vramBytes ? `${g.model} ${formatGiB(g.vramBytes)}` : g.model)).join(', ');
  return [
    hw.cpu.brand,
    cores,
    flags,
    formatGiB(hw.memory.totalBytes),
    gpus,
    `${hw.os.platform} ${hw.os.arch}`,
    `node ${hw.node}`,
  ].join(' · ');
}

/** The `hardware` object of report.json (snake_case like the rest of the report). */
export function hardwareForReport(hw: HardwareInfo): Record<string, unknown> {
  return {
    summary: formatHardwareLine(hw),
    cpu: {
      brand: hw.cpu.brand,
      vendor: hw.cpu.vendor,
      physical_cores: hw.cpu.physicalCores,
      logical_cores: hw.cpu.logicalCores,
      speed_ghz: hw.cpu.speedGHz,
      flags: [...hw.cpu.flags],
    },
    memory: { total_bytes: hw.memory.totalBytes, available_bytes: hw.memory.availableBytes },
    gpus: hw.gpus.map((g) => ({ vendor: g.vendor, model: g.model, vram_bytes: g.vramBytes })),
    os: { ...hw.os },
    node: hw.node,
  };
}

function formatGiB(bytes: number): string {
  return `${(bytes / BYTES_PER_GIB).toFixed(1)} GiB`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
