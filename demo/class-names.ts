/**
 * The evaluation classes are openmoji subgroups; their slugs ("animal-mammal",
 * "transport-ground") are not words a caption uses. As CLIP did for ImageNet,
 * each class gets a plain name for its prompts ("a photo of a bird."), chosen
 * among the words the site's captions use for that subgroup.
 */
const plainNames: Record<string, string> = {
  'face-smiling': 'smiling face',
  'face-affection': 'face with love',
  'face-neutral-skeptical': 'skeptical face',
  'face-unwell': 'sick face',
  'face-concerned': 'worried face',
  'face-negative': 'angry face',
  'face-costume': 'monster',
  'cat-face': 'cat face',
  emotion: 'comic symbol',
  'hand-fingers-open': 'open hand',
  'hand-fingers-partial': 'hand sign',
  'body-parts': 'body part',
  'person-gesture': 'person gesturing',
  'person-role': 'worker',
  'person-fantasy': 'fantasy character',
  'person-activity': 'person doing something',
  'person-sport': 'sports person',
  'person-symbol': 'silhouette',
  'animal-mammal': 'animal',
  'animal-bird': 'bird',
  'animal-reptile': 'dinosaur',
  'animal-marine': 'sea animal',
  'animal-bug': 'bug',
  'plant-flower': 'flower',
  'plant-other': 'plant',
  'food-fruit': 'fruit',
  'food-vegetable': 'vegetable',
  'food-prepared': 'dish',
  'food-asian': 'asian food',
  'food-sweet': 'dessert',
  'place-geographic': 'mountain',
  'place-building': 'building',
  'place-other': 'cityscape',
  'transport-ground': 'vehicle',
  'transport-water': 'boat',
  'transport-air': 'airplane',
  time: 'clock',
  'sky-weather': 'weather',
  event: 'celebration',
  sport: 'ball',
  'musical-instrument': 'musical instrument',
  'light-video': 'film and light',
  'book-paper': 'book',
  office: 'office supplies',
  household: 'furniture',
  'other-object': 'object',
  'transport-sign': 'sign',
  warning: 'warning sign',
  religion: 'religious symbol',
  zodiac: 'zodiac sign',
  'av-symbol': 'media button',
  'other-symbol': 'symbol',
  keycap: 'keycap number',
  alphanum: 'letter button',
  geometric: 'geometric shape',
};

/** The plain class name of a subgroup: the map's, else the slug's words. */
export function evalClassName(subgroup: string): string {
  return plainNames[subgroup] ?? subgroup.replaceAll('-', ' ');
}

/** The class folder name: `wit eval` reads underscores as spaces. */
export function evalClassFolder(subgroup: string): string {
  return evalClassName(subgroup).replaceAll(' ', '_');
}
