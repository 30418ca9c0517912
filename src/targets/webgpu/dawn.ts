// Where Dawn (the `webgpu` npm package) runs in Node, and with which Vulkan driver. Dawn
// loads libvulkan.so.1 when its GPU backend starts; the dynamic loader reads the library
// path only when a process starts, so generated modules run on Dawn in a child Node
// process whose environment is chosen here:
//   - a system Vulkan loader with installed drivers (a real GPU): the environment as is;
//   - else a browser that ships SwiftShader (Debian's chromium package, or Google Chrome as
//     on GitHub's Ubuntu runners): its own libvulkan.so.1 and SwiftShader's driver
//     (e.g. /usr/lib/chromium/vk_swiftshader_icd.json), a CPU implementation of Vulkan.
// VK_ICD_FILENAMES set by the user always wins.
//   const { env, driver } = dawnEnvironment();

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeEntryPath } from '../../pipeline/native-backends.js';
import { WEBGPU_VERSION } from '../../version.js';

export const CHROMIUM_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = path.join(CHROMIUM_DIR, 'vk_swiftshader_icd.json');
/** Browser folders that ship SwiftShader's Vulkan driver and a Vulkan loader (Debian's chromium; Google Chrome, as on GitHub's Ubuntu runners). */
const SWIFTSHADER_DIRS = [CHROMIUM_DIR, '/opt/google/chrome', '/usr/lib/chromium-browser'];

const SYSTEM_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

export interface DawnEnvironment {
  env: NodeJS.ProcessEnv;
  /** 'system Vulkan', 'SwiftShader (/usr/lib/chromium)', or 'VK_ICD_FILENAMES=…'. */
  driver: string;
}

function hasSystemVulkan(): boolean {
  if (!SYSTEM_LOADERS.some((p) => existsSync(p))) return false;
  return ICD_DIRS.some((d) => {
    try {
      return readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

export function dawnEnvironment(base: NodeJS.ProcessEnv = process.env): DawnEnvironment {
  if (base.VK_ICD_FILENAMES) {
    const env = { ...base };
    if (!hasSystemVulkan() && existsSync(path.join(CHROMIUM_DIR, 'libvulkan.so.1')))
      env.LD_LIBRARY_PATH = [CHROMIUM_DIR, base.LD_LIBRARY_PATH].filter(Boolean).join(':');
    return { env, driver: `VK_ICD_FILENAMES=${base.VK_ICD_FILENAMES}` };
  }
  if (process.platform !== 'linux' || hasSystemVulkan()) return { env: { ...base }, driver: 'system Vulkan' };
  for (const dir of SWIFTSHADER_DIRS) {
    const icd = path.join(dir, 'vk_swiftshader_icd.json');
    if (!existsSync(icd) || !existsSync(path.join(dir, 'libvulkan.so.1'))) continue;
    return {
      env: {
        ...base,
        VK_ICD_FILENAMES: icd,
        LD_LIBRARY_PATH: [dir, base.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      },
      driver: `SwiftShader (${dir})`,
    };
  }
  return { env: { ...base }, driver: 'system Vulkan' };
}

/** file: URL of the `webgpu` package's entry: from here, or installed into the runner's tool cache. */
export async function webgpuPackageUrl(): Promise<string> {
  return pathToFileURL(await nativeEntryPath('webgpu', WEBGPU_VERSION)).href;
}
