// Which Vulkan driver Dawn gets: the user's VK_ICD_FILENAMES wins; else a system driver;
// else SwiftShader from a browser folder, with that folder's Vulkan loader on the library path.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { dawnEnvironment } from '../../../src/targets/webgpu/dawn.js';

test("the user's VK_ICD_FILENAMES is kept as given", () => {
  const { env, driver } = dawnEnvironment({ PATH: '/usr/bin', VK_ICD_FILENAMES: '/opt/gpu/icd.json' });
  expect(driver).toBe('VK_ICD_FILENAMES=/opt/gpu/icd.json');
  expect(env.VK_ICD_FILENAMES).toBe('/opt/gpu/icd.json');
  expect(env.PATH).toBe('/usr/bin');
});

test('without a system driver, SwiftShader comes from a browser folder with its loader first on the path', () => {
  const { env, driver } = dawnEnvironment({ PATH: '/usr/bin', LD_LIBRARY_PATH: '/x' });
  if (driver === 'system Vulkan') {
    expect(env.VK_ICD_FILENAMES).toBeUndefined();
    return;
  }
  const dir = /^SwiftShader \((.+)\)$/.exec(driver)![1];
  expect(env.VK_ICD_FILENAMES).toBe(path.join(dir, 'vk_swiftshader_icd.json'));
  expect(existsSync(env.VK_ICD_FILENAMES!)).toBe(true);
  expect(env.LD_LIBRARY_PATH).toBe(`${dir}:/x`);
});
