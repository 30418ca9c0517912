// Hardware detection: the real probe on this machine, flag normalisation through a fixed
// probe, and the recommendation table / summary line on fixed HardwareInfo literals.
//   npm test -- __tests__/hardware

import {
  detectHardware,
  formatHardwareLine,
  hardwareForReport,
  normalizeCpuFlags,
  recommendTargets,
  type HardwareInfo,
  type HardwareProbe,
} from '../../src/hardware/detect.js';

const GiB = 1024 ** 3;

const vnniServer: HardwareInfo = {
  cpu: {
    brand: 'Intel Xeon Platinum 8480+',
    vendor: 'Intel',
    physicalCores: 2,
    logicalCores: 4,
    flags: [
      'avx',
      'avx2',
      'fma',
      'f16c',
      'avx512f',
      'avx512bw',
      'avx512_vnni',
      'amx_tile',
      'amx_int8',
      'amx_bf16',
    ],
    speedGHz: 3.8,
  },
  memory: { totalBytes: 24 * GiB, availableBytes: 20 * GiB },
  gpus: [],
  os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
  node: 'v20.20.2',
};

const avx2Laptop: HardwareInfo = {
  cpu: {
    brand: 'Intel Core i5-8250U',
    vendor: 'Intel',
    physicalCores: 4,
    logicalCores: 8,
    flags: ['avx', 'avx2', 'fma', 'f16c'],
    speedGHz: 3.4,
  },
  memory: { totalBytes: 8 * GiB, availableBytes: 3 * GiB },
  gpus: [{ vendor: 'Intel Corporation', model: 'UHD Graphics 620', vramBytes: null }],
  os: { platform: 'win32', distro: 'Microsoft Windows 11 Home', release: '10.0.22631', arch: 'x64' },
  node: 'v22.11.0',
};

const armDotprod: HardwareInfo = {
  cpu: {
    brand: 'ARM Neoverse-N1',
    vendor: 'ARM',
    physicalCores: 1,
    logicalCores: 1,
    flags: ['neon', 'neon_fp16', 'dotprod'],
    speedGHz: 2.5,
  },
  memory: { totalBytes: 16 * GiB, availableBytes: 15 * GiB },
  gpus: [],
  os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'arm64' },
  node: 'v20.20.2',
};

const nvidiaDesktop: HardwareInfo = {
  cpu: {
    brand: 'AMD Ryzen 9 5950X',
    vendor: 'AMD',
    physicalCores: 16,
    logicalCores: 32,
    flags: ['avx', 'avx2', 'fma', 'f16c'],
    speedGHz: 4.9,
  },
  memory: { totalBytes: 64 * GiB, availableBytes: 50 * GiB },
  gpus: [
    { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', vramBytes: null },
    { vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 4090', vramBytes: 24 * GiB },
  ],
  os: { platform: 'linux', distro: 'Ubuntu', release: '22.04', arch: 'x64' },
  node: 'v20.20.2',
};

const pairs = (hw: HardwareInfo): string[] => recommendTargets(hw).map((r) => `${r.target} ${r.precision}`);

describe('detectHardware on this machine', () => {
  test('reports cores, memory, flags and the running node within 3 s', async () => {
    const started = Date.now();
    const hw = await detectHardware();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(hw.cpu.logicalCores).toBeGreaterThanOrEqual(1);
    expect(hw.cpu.physicalCores).toBeGreaterThanOrEqual(1);
    expect(hw.memory.totalBytes).toBeGreaterThan(0);
    expect(hw.memory.availableBytes).toBeGreaterThan(0);
    expect(Array.isArray(hw.cpu.flags)).toBe(true);
    expect(hw.node).toBe(process.version);
    expect(hw.os.arch).toBe(process.arch);
    expect(recommendTargets(hw)[0]).toMatchObject({ target: 'onnx', precision: 'fp32' });
    expect(formatHardwareLine(hw)).toContain(`node ${process.version}`);
  });
});

describe('detectHardware with a fixed probe', () => {
  const probe = (rawFlags: string, platform: string, arch: string): HardwareProbe => ({
    cpu: async () => ({
      manufacturer: 'ARM',
      brand: 'Neoverse-N1',
      vendor: 'ARM',
      cores: 4,
      physicalCores: 0,
      speed: 2.5,
      speedMax: 0,
    }),
    cpuFlags: async () => rawFlags,
    mem: async () => ({ total: 16 * GiB, available: 12 * GiB }),
    graphics: async () => ({ controllers: [{ vendor: 'NVIDIA', model: 'NVIDIA L4', vram: 23034 }] }),
    osInfo: async () => ({ platform, distro: 'Debian GNU/Linux', release: '12', arch }),
  });

  test('maps AArch64 /proc/cpuinfo features and MiB of VRAM', async () => {
    const hw = await detectHardware(
      probe('fp asimd evtstrm aes fphp asimdhp cpuid asimddp sve i8mm bf16', 'linux', 'arm64'),
    );
    expect(hw.cpu).toEqual({
      brand: 'ARM Neoverse-N1',
      vendor: 'ARM',
      physicalCores: 4,
      logicalCores: 4,
      flags: ['neon', 'neon_fp16', 'dotprod', 'i8mm', 'sve'],
      speedGHz: 2.5,
    });
    expect(hw.gpus).toEqual([{ vendor: 'NVIDIA', model: 'NVIDIA L4', vramBytes: 23034 * 1024 * 1024 }]);
  });

  test('fills in NEON, fp16 and dotprod for Apple silicon, whose flags are not listed', async () => {
    const hw = await detectHardware(probe('', 'darwin', 'arm64'));
    expect(hw.cpu.flags).toEqual(['neon', 'neon_fp16', 'dotprod']);
  });
});

describe('normalizeCpuFlags', () => {
  test('keeps flags of interest in canonical order and maps macOS spellings', () => {
    const linux = 'fpu sse2 avx512_vnni avx2 avx fma f16c avx512f avx512bw avx_vnni amx_int8 amx_tile';
    expect(normalizeCpuFlags(linux, { platform: 'linux', arch: 'x64' })).toEqual([
      'avx',
      'avx2',
      'fma',
      'f16c',
      'avx512f',
      'avx512bw',
      'avx512_vnni',
      'avx_vnni',
      'amx_tile',
      'amx_int8',
    ]);
    expect(normalizeCpuFlags('FPU SSE AVX1.0 FMA F16C', { platform: 'darwin', arch: 'x64' })).toEqual([
      'avx',
      'fma',
      'f16c',
    ]);
  });
});

describe('recommendTargets', () => {
  test('VNNI/AMX server: int8 first choice on CPU, f16c fp16, 7B int4 fits', () => {
    expect(pairs(vnniServer)).toEqual(['onnx fp32', 'onnx int8', 'onnx fp16', 'onnx int4']);
    const [, int8, fp16, int4] = recommendTargets(vnniServer);
    expect(int8.reason).toBe(
      'VNNI/AMX int8 dot products (avx512_vnni, amx_int8): fastest CPU precision, 4× smaller',
    );
    expect(fp16.reason).toMatch(/^f16c converts fp16 in hardware/);
    expect(int4.reason).toBe('24.0 GiB memory: fits 7B-parameter models at int4 (~3.5 GiB of weights)');
  });

  test('plain avx2 laptop with integrated graphics: int8 noted as slower, no webgpu', () => {
    expect(pairs(avx2Laptop)).toEqual(['onnx fp32', 'onnx int8', 'onnx fp16', 'onnx int4']);
    const [, int8, , int4] = recommendTargets(avx2Laptop);
    expect(int8.reason).toBe(
      'avx2 without int8 dot-product instructions: 4× smaller, but int8 runs slower than on VNNI/dotprod CPUs',
    );
    expect(int4.reason).toBe(
      '8.0 GiB memory: int4 keeps models up to ~3B parameters in memory; 7B needs 16 GiB',
    );
  });

  test('ARM with dotprod: int8 dot products and native fp16', () => {
    expect(recommendTargets(armDotprod)).toEqual([
      {
        target: 'onnx',
        precision: 'fp32',
        reason: 'reference: original weights; every other variant is verified against it',
      },
      {
        target: 'onnx',
        precision: 'int8',
        reason: 'ARM int8 dot products (dotprod): fastest CPU precision, 4× smaller',
      },
      {
        target: 'onnx',
        precision: 'fp16',
        reason: 'native fp16 arithmetic (neon_fp16): half the size, near-fp32 accuracy',
      },
      {
        target: 'onnx',
        precision: 'int4',
        reason: '16.0 GiB memory: fits 7B-parameter models at int4 (~3.5 GiB of weights)',
      },
    ]);
  });

  test('NVIDIA GPU adds webgpu fp16 naming the card, not the BMC display adapter', () => {
    expect(pairs(nvidiaDesktop)).toEqual(['onnx fp32', 'onnx int8', 'onnx fp16', 'onnx int4', 'webgpu fp16']);
    expect(recommendTargets(nvidiaDesktop)[4].reason).toBe(
      'NVIDIA GeForce RTX 4090 (24.0 GiB): WebGPU with shader-f16 runs fp16 on the GPU',
    );
  });
});

describe('formatHardwareLine and hardwareForReport', () => {
  test('one summary line', () => {
    expect(formatHardwareLine(vnniServer)).toBe(
      'Intel Xeon Platinum 8480+ · 2 cores (4 threads) · avx avx2 fma f16c avx512f avx512bw avx512_vnni ' +
        'amx_tile amx_int8 amx_bf16 · 24.0 GiB · no GPU · linux x64 · node v20.20.2',
    );
    expect(formatHardwareLine(armDotprod)).toBe(
      'ARM Neoverse-N1 · 1 core (1 thread) · neon neon_fp16 dotprod · 16.0 GiB · no GPU · linux arm64 · node v20.20.2',
    );
    expect(formatHardwareLine(nvidiaDesktop)).toContain(
      '· ASPEED Graphics Family, NVIDIA GeForce RTX 4090 24.0 GiB ·',
    );
  });

  test('report object is plain JSON with snake_case keys', () => {
    const report = hardwareForReport(nvidiaDesktop);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.memory).toEqual({ total_bytes: 64 * GiB, available_bytes: 50 * GiB });
    expect(report.cpu).toMatchObject({ physical_cores: 16, logical_cores: 32, speed_ghz: 4.9 });
    expect(report.gpus).toEqual([
      { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', vram_bytes: null },
      { vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 4090', vram_bytes: 24 * GiB },
    ]);
  });
});
