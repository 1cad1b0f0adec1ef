/** Friendly random player names for people who arrive by link and have not picked one. */
const adjectives = ['Swift', 'Brave', 'Quiet', 'Lucky', 'Clever', 'Sunny', 'Witty', 'Bold', 'Nimble', 'Jolly'];
const animals = ['Otter', 'Falcon', 'Panda', 'Lynx', 'Badger', 'Heron', 'Gecko', 'Koala', 'Marten', 'Puffin'];

/** A name like "Swift Otter". */
export function randomName(random: () => number = Math.random): string {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)] ?? list[0];
  return `${pick(adjectives)} ${pick(animals)}`;
}
